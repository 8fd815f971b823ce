package io.logdist.distributor;

import io.logdist.distributor.admin.AdminServer;
import io.logdist.distributor.admin.AnalyzerView;
import io.logdist.distributor.admin.EmitterView;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.config.DirectMemoryBudget;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.distributor.deadletter.DeadLetterSink;
import io.logdist.distributor.ingest.EmitterLedgers;
import io.logdist.distributor.ingest.EmitterServer;
import io.logdist.distributor.ingest.EmitterSessions;
import io.logdist.distributor.ingest.IngestStats;
import io.logdist.distributor.link.AnalyzerLink;
import io.logdist.distributor.link.AnalyzerLinks;
import io.logdist.distributor.link.DeadLetters;
import io.logdist.distributor.link.LinkSettings;
import io.logdist.distributor.loop.LoopContext;
import io.logdist.distributor.loop.LoopContexts;
import io.logdist.distributor.loop.LoopLatency;
import io.logdist.distributor.loop.LoopNotAnswering;
import io.logdist.distributor.queue.PacketList;
import io.logdist.distributor.routing.RoutingTables;
import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running distributor: the emitter listener, one link per analyzer on each event loop, and the loops
 * they share. Embeddable (tests start one in-process) and driven by {@link DistributorMain}.
 *
 * <p>The control methods (add, reweight, drain, remove analyzers; views; shutdown) are the
 * control plane: thread-safe, may block briefly, never on the data path.
 */
public final class Distributor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Distributor.class);
    private static final int CIRCUIT_FAILURE_THRESHOLD = 3;
    private static final long EJECTION_BASE_MS = 1_000;
    private static final long EJECTION_MAX_MS = 60_000;
    private static final long EJECTION_DECAY_MS = 30_000;

    private final DistributorConfig config;
    private final Transport transport;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final RoutingTables tables = new RoutingTables();
    private final IngestStats ingestStats = new IngestStats();
    private final EmitterSessions sessions = new EmitterSessions();
    private final LoopContexts contexts;
    private final EmitterLedgers ledgers;
    private final EmitterServer emitterServer;
    private final AdminServer adminServer;
    private final LinkSettings linkSettings;
    private final DeadLetters deadLetters;
    private final Object control = new Object();
    /** Every configured analyzer, in configuration order; the control plane's list (routing uses {@link #tables}). */
    private final List<AnalyzerLinks> analyzers = new CopyOnWriteArrayList<>();
    private final AtomicLong reroutesOfRemoved = new AtomicLong();
    /** Messages delivered by analyzers since removed, so that totals never go down. */
    private final AtomicLong messagesDeliveredOfRemoved = new AtomicLong();
    private InetSocketAddress emitterAddress;
    private InetSocketAddress adminAddress;
    private volatile boolean closed;

    private Distributor(DistributorConfig config) {
        this.config = config;
        this.transport = Transport.best();
        int threads = config.threads() == 0 ? Runtime.getRuntime().availableProcessors() : config.threads();
        this.boss = transport.newGroup(1, new DefaultThreadFactory("ldp-accept"));
        this.workers = transport.newGroup(threads, new DefaultThreadFactory("ldp-io"));
        this.contexts = new LoopContexts(workers, tables);
        this.deadLetters = config.deadLetterDir() == null ? DeadLetters.NONE : new DeadLetterSink(config.deadLetterDir());
        this.linkSettings = new LinkSettings(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, config.name(),
            config.linkWindow(), Math.max(config.maxFrameLength(), 1 << 20),
            config.reconnectBase().toMillis(), config.reconnectMax().toMillis(), config.linkTimeout().toMillis(),
            config.maxRetries(), config.slowStart().toMillis(), config.queueBytes(),
            CIRCUIT_FAILURE_THRESHOLD, EJECTION_BASE_MS, EJECTION_MAX_MS, EJECTION_DECAY_MS);
        for (AnalyzerSpec spec : config.analyzers()) {
            newLink(spec, false);
        }
        this.ledgers = new EmitterLedgers(config.maxEmitterWindow());
        scheduleLedgerExpiry(config.emitterExpiry());
        this.emitterServer = new EmitterServer(config, transport, boss, workers, ledgers,
            contexts, tables, ingestStats, sessions);
        this.adminServer = config.admin() == null ? null : new AdminServer(config.admin(), transport, boss, this);
    }

    /** Each loop forgets, now and then, the emitters it owns that left more than {@code expiry} ago. */
    private void scheduleLedgerExpiry(Duration expiry) {
        if (expiry.isZero()) {
            return;
        }
        long expiryNs = expiry.toNanos();
        // A quarter of the expiry, so a ledger goes at most 25 % late; at least 10 ms, at most a minute.
        long periodNs = Math.min(TimeUnit.MINUTES.toNanos(1), Math.max(TimeUnit.MILLISECONDS.toNanos(10), expiryNs / 4));
        for (LoopContext loop : contexts.all()) {
            loop.eventLoop().scheduleWithFixedDelay(() -> ledgers.expireIdle(loop, System.nanoTime(), expiryNs),
                periodNs, periodNs, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * One link to the analyzer on every event loop (or on the first {@code analyzerConnections}),
     * so that packets need not change thread on their way.
     */
    private AnalyzerLinks newLink(AnalyzerSpec spec, boolean slowStartFirstConnection) {
        List<LoopContext> loops = contexts.all();
        int n = config.analyzerConnections() == 0 ? loops.size() : Math.min(config.analyzerConnections(), loops.size());
        AnalyzerLinks a = new AnalyzerLinks(spec, loops.subList(0, n), tables, transport, linkSettings, deadLetters, slowStartFirstConnection);
        analyzers.add(a);
        return a;
    }

    /** Starts the links dialling and binds the listeners; returns once emitters can connect. */
    public static Distributor start(DistributorConfig config) throws InterruptedException {
        Distributor d = new Distributor(config);
        try {
            d.analyzers.forEach(AnalyzerLinks::start);
            d.emitterAddress = d.emitterServer.bind();
            if (d.adminServer != null) {
                d.adminAddress = d.adminServer.bind();
            }
        } catch (InterruptedException | RuntimeException e) {
            d.close();
            throw e;
        }
        DirectMemoryBudget.of(config, d.contexts.all().size(), PlatformDependent.maxDirectMemory()).warning().ifPresent(LOG::warn);
        LOG.info("distributor '{}' listening for emitters on {}{}, {} analyzers, {} event loops, {} transport",
            config.name(), d.emitterAddress, d.adminAddress == null ? "" : ", admin on " + d.adminAddress,
            config.analyzers().size(), d.contexts.all().size(), d.transport);
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

    /** True while the emitter listener is bound. */
    public boolean listening() {
        return emitterServer.listening();
    }

    // ---- Views -------------------------------------------------------------------------

    /** Current state of each analyzer, in configuration order (light: no hop to the loops). */
    public List<LinkStatus> links() {
        List<LinkStatus> out = new ArrayList<>();
        for (AnalyzerLinks l : analyzers) {
            out.add(new LinkStatus(l.spec().name(), l.spec().address().toString(), l.weight(),
                l.packetsDelivered(), l.messagesDelivered(), l.reroutedAway(), l.connects(), l.linksUp(), l.links().size()));
        }
        return out;
    }

    /**
     * One analyzer's state and counters, summed over its connections.
     *
     * @param connectionsUp how many of its {@code connections} (one per event loop) take packets
     */
    public record LinkStatus(String name, String address, double weight, long packetsDelivered,
                             long messagesDelivered, long reroutedAway, long connects, int connectionsUp, int connections) {

        /** At least one connection to it takes packets. */
        public boolean up() {
            return connectionsUp > 0;
        }

        /** Every connection to it takes packets: each loop routes to it. */
        public boolean allConnectionsUp() {
            return connectionsUp == connections;
        }
    }

    /** Each analyzer's full view (taken on its loops), in configuration order. */
    public List<AnalyzerView> analyzers() {
        List<AnalyzerView> out = new ArrayList<>();
        for (AnalyzerLinks l : analyzers) {
            out.add(l.view());
        }
        return out;
    }

    /** Connected emitters. */
    public List<EmitterView> emitters() {
        return sessions.views();
    }

    public long nacks(ErrorCode code) {
        return ingestStats.nacks(code);
    }

    /** Emitters remembered (their settled cursors): connected ones and those that left less than the expiry ago. */
    public int rememberedEmitters() {
        return ledgers.size();
    }

    public long deadLetters() {
        return deadLetters.count();
    }

    /** Packets rerouted after a link failure or an analyzer's NACK, over all links (removed ones included). */
    public long reroutes() {
        return total(AnalyzerLinks::reroutedAway, reroutesOfRemoved);
    }

    /** Messages ACKed by analyzers, over all links (removed ones included): a total that never goes down. */
    public long messagesDelivered() {
        return total(AnalyzerLinks::messagesDelivered, messagesDeliveredOfRemoved);
    }

    /** A counter summed over the analyzers, plus what removed ones had. */
    private long total(ToLongFunction<AnalyzerLinks> counter, AtomicLong ofRemoved) {
        synchronized (control) { // with removeAnalyzer: a removed analyzer is counted once, never zero times
            long n = ofRemoved.get();
            for (AnalyzerLinks l : analyzers) {
                n += counter.applyAsLong(l);
            }
            return n;
        }
    }

    /** Ack latency (PACKET read to safe) in microseconds, recorded since the previous call. */
    public Histogram ackLatencySnapshot() {
        Histogram h = LoopLatency.newTotal();
        for (LoopContext c : contexts.all()) {
            c.drainAckLatency(h);
        }
        return h;
    }

    /**
     * Each analyzer's round trips (DELIVER written to its ACK read) in microseconds, recorded
     * since the previous call, by analyzer name. One caller (the metrics scrape).
     */
    public Map<String, Histogram> analyzerRoundTripSnapshot() {
        Map<String, Histogram> byName = new LinkedHashMap<>();
        for (AnalyzerLinks l : analyzers) {
            // A removed analyzer added again under its name is briefly listed twice: one series.
            l.drainRoundTrip(byName.computeIfAbsent(l.name(), n -> LoopLatency.newTotal()));
        }
        return byName;
    }

    // ---- Control -----------------------------------------------------------------------

    private AnalyzerLinks find(String name) {
        for (AnalyzerLinks l : analyzers) {
            if (l.name().equals(name)) {
                return l;
            }
        }
        throw new NoSuchElementException("no analyzer named '" + name + "'");
    }

    // Each change is logged once, here or by its link, naming who asked ({@code by}); callers do not log it again.

    /**
     * Adds an analyzer; it is dialled at once and joins routing (ramping up) when it answers.
     *
     * @param by who asked, for the log (e.g. the admin API and its client's address)
     * @throws IllegalStateException when the name is taken
     */
    public AnalyzerView addAnalyzer(AnalyzerSpec spec, String by) {
        AnalyzerLinks link;
        synchronized (control) {
            for (AnalyzerLinks l : analyzers) {
                if (l.name().equals(spec.name())) {
                    throw new IllegalStateException("analyzer name '" + spec.name() + "' is taken");
                }
            }
            link = newLink(spec, true);
        }
        LOG.atInfo().addKeyValue("analyzer", spec.name()).addKeyValue("by", by)
            .log("analyzer {} added at {} with weight {} ({})", spec.name(), spec.address(), spec.weight(), by);
        link.start();
        return link.view();
    }

    /** Changes an analyzer's weight; routing follows at once. {@code by}: who asked, for the log. */
    public AnalyzerView setWeight(String name, double weight, String by) {
        AnalyzerLinks link = find(name);
        link.setWeight(weight);
        LOG.atInfo().addKeyValue("analyzer", name).addKeyValue("by", by).log("analyzer {} weight set to {} ({})", name, weight, by);
        return link.view();
    }

    /** The analyzer takes no new packets, finishes what it holds, then stays idle. {@code by}: who asked, for the log. */
    public AnalyzerView drainAnalyzer(String name, String by) {
        AnalyzerLinks link = find(name);
        link.drain(by);
        return link.view();
    }

    /**
     * Drains the analyzer, then removes it; completes once it holds nothing. The link logs
     * the start (with {@code by}, who asked) and the end.
     */
    public CompletableFuture<Void> removeAnalyzer(String name, String by) {
        AnalyzerLinks link = find(name);
        return link.remove(by).thenRun(() -> {
            synchronized (control) {
                // Each request for the same removal gets here; only the one that unlists the analyzer counts its reroutes.
                if (analyzers.remove(link)) {
                    link.unlist();
                    reroutesOfRemoved.addAndGet(link.reroutedAway());
                    messagesDeliveredOfRemoved.addAndGet(link.messagesDelivered());
                }
            }
        });
    }

    // ---- Shutdown ----------------------------------------------------------------------

    /**
     * What a graceful shutdown left behind.
     *
     * @param loopsNotAnswering event loops that did not answer the last pass in time: what they
     *                          held is not counted here; unless their pass still wrote it to the
     *                          dead-letter file, it was not ACKed (emitters send it again)
     */
    public record ShutdownReport(long undelivered, long deadLettered, Path deadLetterFile, int loopsNotAnswering) {
    }

    /**
     * How long the shutdown's last pass waits for each event loop: it may be writing and
     * forcing to disk thousands of dead letters, one fsync each. Not final: tests shorten it.
     */
    Duration shutdownPassTimeout = Duration.ofSeconds(60);
    /** How long close() waits for each step of stopping the loops. */
    private static final long CLOSE_WAIT_SECONDS = 10;

    /** The event loops' contexts, for tests in this package. */
    List<LoopContext> loops() {
        return contexts.all();
    }

    /**
     * Stops taking packets and delivers what is held for up to {@code drainTimeout}: the
     * listener closes, every emitter gets GOODBYE (new packets: NACK SHUTTING_DOWN), links
     * keep delivering and ACKs keep flowing back. What is still held after the timeout
     * goes to the dead-letter file (and is then ACKed) or, without one, is left
     * unacknowledged for the emitters to send again. Then everything closes.
     */
    public ShutdownReport shutdownGracefully(Duration drainTimeout) {
        emitterServer.close();
        sessions.beginShutdown();
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        try {
            while (System.nanoTime() < deadline && held() > 0) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (LoopNotAnswering e) {
            LOG.warn("shutdown: stopped waiting for deliveries ({})", e.getMessage());
        }
        // The last pass goes on past a loop that does not answer: the others' packets are still
        // dead-lettered, and what the silent one holds is not ACKed, so emitters send it again.
        long deadLetteredBefore = deadLetters.count();
        long undelivered = 0;
        Set<EventExecutor> notAnswering = new HashSet<>();
        long timeoutMs = shutdownPassTimeout.toMillis();
        for (AnalyzerLink l : tables.links()) {
            undelivered += unlessSilent(l.loop().eventLoop(), notAnswering, () -> l.takeHeldForShutdown(deadLetters, timeoutMs));
        }
        for (LoopContext c : contexts.all()) {
            undelivered += unlessSilent(c.eventLoop(), notAnswering, () -> onLoop(c, () -> {
                PacketList parked = new PacketList();
                c.takeParked(parked);
                return AnalyzerLink.deadLetterOrRelease(parked, deadLetters, "left over at shutdown");
            }, timeoutMs));
        }
        // Once every loop's packets are out: let the settle tasks the dead letters caused, on
        // any loop, run and write their ACKs before closing.
        for (LoopContext c : contexts.all()) {
            unlessSilent(c.eventLoop(), notAnswering, () -> onLoop(c, () -> 0L, timeoutMs));
        }
        long deadLettered = deadLetters.count() - deadLetteredBefore;
        Path file = deadLetters instanceof DeadLetterSink s ? s.file() : null;
        close();
        return new ShutdownReport(undelivered, deadLettered, file, notAnswering.size());
    }

    /**
     * One step of the shutdown's last pass on {@code loop}: 0 for a loop already found silent,
     * and a loop that does not answer this step is added to {@code silent} and logged.
     */
    private static long unlessSilent(EventExecutor loop, Set<EventExecutor> silent, LongSupplier step) {
        if (silent.contains(loop)) {
            return 0;
        }
        try {
            return step.getAsLong();
        } catch (LoopNotAnswering e) {
            silent.add(loop);
            LOG.error("shutdown: {}; what that loop holds is not ACKed", e.getMessage());
            return 0;
        }
    }

    /** Packets held anywhere (queued, unacknowledged, parked); approximate, for waiting. */
    private long held() {
        long n = 0;
        for (AnalyzerLink l : tables.links()) {
            AnalyzerView v = l.view();
            n += v.queuedPackets() + v.unacked();
        }
        for (LoopContext c : contexts.all()) {
            n += onLoop(c, () -> (long) c.parkedPackets());
        }
        return n;
    }

    private static long onLoop(LoopContext c, java.util.concurrent.Callable<Long> task) {
        return onLoop(c, task, 5_000);
    }

    private static long onLoop(LoopContext c, java.util.concurrent.Callable<Long> task, long timeoutMs) {
        try {
            return c.eventLoop().submit(task).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new LoopNotAnswering("event loop " + c.eventLoop(), e);
        }
    }

    /** Stops listening, closes every link and the event loops. Packets not yet safe are not ACKed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        emitterServer.close();
        if (adminServer != null) {
            adminServer.close();
        }
        analyzers.forEach(AnalyzerLinks::close);
        // Bounded waits: a loop stuck for good must not keep the process from stopping.
        for (LoopContext c : contexts.all()) {
            try {
                if (!c.eventLoop().submit(c::releaseAll).await(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    LOG.error("close: event loop {} did not answer within {} s; stopping without it", c.eventLoop(), CLOSE_WAIT_SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        if (deadLetters instanceof DeadLetterSink s) {
            s.close();
        }
    }
}
