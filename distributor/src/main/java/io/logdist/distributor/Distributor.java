package io.logdist.distributor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.logdist.distributor.admin.AdminServer;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.distributor.ingest.EmitterLedgers;
import io.logdist.distributor.ingest.EmitterServer;
import io.logdist.distributor.ingest.IngestStats;
import io.logdist.distributor.link.AnalyzerLink;
import io.logdist.distributor.link.LinkSettings;
import io.logdist.distributor.loop.LoopContext;
import io.logdist.distributor.loop.LoopContexts;
import io.logdist.distributor.routing.RoutingTables;
import io.logdist.protocol.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A running distributor: the emitter listener, one link per analyzer, and the event loops
 * they share. Embeddable (tests start one in-process) and driven by {@link DistributorMain}.
 *
 * <p>Thread-safe: start, inspect and close from any thread.
 */
public final class Distributor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Distributor.class);

    private final DistributorConfig config;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final RoutingTables tables = new RoutingTables();
    private final IngestStats ingestStats = new IngestStats();
    private final LoopContexts contexts;
    private final EmitterServer emitterServer;
    private final AdminServer adminServer;
    private final List<AnalyzerLink> links = new ArrayList<>();
    private final ObjectMapper json = new ObjectMapper();
    private InetSocketAddress emitterAddress;
    private InetSocketAddress adminAddress;

    private Distributor(DistributorConfig config) {
        this.config = config;
        Transport transport = Transport.best();
        int threads = config.threads() == 0 ? Runtime.getRuntime().availableProcessors() : config.threads();
        this.boss = transport.newGroup(1, new DefaultThreadFactory("ldp-accept"));
        this.workers = transport.newGroup(threads, new DefaultThreadFactory("ldp-io"));
        this.contexts = new LoopContexts(workers, tables);
        LinkSettings settings = new LinkSettings(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, config.name(),
            config.linkWindow(), Math.max(config.maxFrameLength(), 1 << 20),
            config.reconnectBase().toMillis(), config.reconnectMax().toMillis());
        List<LoopContext> loops = contexts.all();
        int i = 0;
        for (AnalyzerSpec spec : config.analyzers()) {
            // Spread links over the loops so their draining runs in parallel.
            AnalyzerLink link = new AnalyzerLink(spec, loops.get(i++ % loops.size()), tables, transport, settings);
            links.add(link);
            tables.add(link);
        }
        this.emitterServer = new EmitterServer(config, transport, boss, workers, new EmitterLedgers(config.maxEmitterWindow()),
            contexts, tables, ingestStats);
        this.adminServer = config.admin() == null ? null : new AdminServer(config.admin(), transport, boss, this::statusJson);
    }

    /** Starts the links dialling and binds the listeners; returns once emitters can connect. */
    public static Distributor start(DistributorConfig config) throws InterruptedException {
        Distributor d = new Distributor(config);
        try {
            d.links.forEach(AnalyzerLink::start);
            d.emitterAddress = d.emitterServer.bind();
            if (d.adminServer != null) {
                d.adminAddress = d.adminServer.bind();
            }
        } catch (InterruptedException | RuntimeException e) {
            d.close();
            throw e;
        }
        LOG.info("distributor '{}' listening for emitters on {}{}, {} analyzers, {} event loops, {} transport",
            config.name(), d.emitterAddress, d.adminAddress == null ? "" : ", admin on " + d.adminAddress,
            config.analyzers().size(), d.contexts.all().size(), Transport.best());
        return d;
    }

    public InetSocketAddress emitterAddress() {
        return emitterAddress;
    }

    public InetSocketAddress adminAddress() {
        return adminAddress;
    }

    public DistributorConfig config() {
        return config;
    }

    public IngestStats ingestStats() {
        return ingestStats;
    }

    /** Current state of each analyzer link, in configuration order. */
    public List<LinkStatus> links() {
        List<LinkStatus> out = new ArrayList<>();
        for (AnalyzerLink l : links) {
            out.add(new LinkStatus(l.spec().name(), l.spec().address().toString(), l.spec().weight(), l.isRoutable(),
                l.packetsDelivered(), l.messagesDelivered(), l.reroutedAway(), l.connects()));
        }
        return out;
    }

    /** One analyzer link's state and counters. */
    public record LinkStatus(String name, String address, double weight, boolean up, long packetsDelivered,
                             long messagesDelivered, long reroutedAway, long connects) {
    }

    String statusJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", config.name());
        m.put("emitter_connections", ingestStats.connections.get());
        m.put("packets_in", ingestStats.packetsIn.sum());
        m.put("messages_in", ingestStats.messagesIn.sum());
        m.put("duplicates", ingestStats.duplicates.sum());
        m.put("analyzers", links());
        try {
            return json.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops listening, closes every link and the event loops. Packets not yet safe are not ACKed. */
    @Override
    public void close() {
        emitterServer.close();
        if (adminServer != null) {
            adminServer.close();
        }
        links.forEach(AnalyzerLink::close);
        for (LoopContext c : contexts.all()) {
            try {
                c.eventLoop().submit(c::releaseAll).sync();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
