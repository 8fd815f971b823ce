package io.logdist.distributor.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.logdist.analyzer.AnalyzerConfig;
import io.logdist.analyzer.AnalyzerServer;
import io.logdist.analyzer.AnalyzerSnapshot;
import io.logdist.distributor.Distributor;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.emitter.EmitterConfig;
import io.logdist.emitter.EmitterReport;
import io.logdist.distributor.testing.Loss;
import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * Real analyzers, a distributor and its admin endpoint, all in this JVM on 127.0.0.1 with
 * ephemeral ports, plus an HTTP client for the admin API. Closing it stops everything it
 * started (analyzers started later through {@link #startAnalyzer} included).
 */
final class AdminCluster implements AutoCloseable {
    /** Event loops of the distributor under test; it holds one connection to each analyzer on each. */
    static final int LOOPS = 2;
    static final ObjectMapper JSON = new ObjectMapper();

    final Map<String, AnalyzerServer> analyzers = new LinkedHashMap<>();
    final Distributor distributor;
    private final EventLoopGroup adminGroup;
    private final AdminServer admin;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Analyzers a1, a2, ... with these weights; {@code tune} adjusts the distributor's configuration. */
    AdminCluster(UnaryOperator<DistributorConfig.Builder> tune, double... weights) throws InterruptedException {
        List<AnalyzerSpec> specs = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            String name = "a" + (i + 1);
            specs.add(new AnalyzerSpec(name, startAnalyzer(name), weights[i]));
        }
        DistributorConfig.Builder b = DistributorConfig.builder().listen(new HostPort("127.0.0.1", 0)).analyzers(specs).threads(LOOPS)
            .reconnectBase(Duration.ofMillis(20)).reconnectMax(Duration.ofMillis(500)).slowStart(Duration.ZERO)
            // Not about stall detection: a loaded test machine must not make a busy analyzer look stalled.
            .linkTimeout(Duration.ofSeconds(30));
        distributor = Distributor.start(tune.apply(b).build());
        // Its own admin endpoint around the distributor (the one Distributor.start binds for
        // config.admin() is the same class; this keeps the tests independent of that wiring).
        adminGroup = Transport.best().newGroup(1, new DefaultThreadFactory("test-admin", true));
        admin = new AdminServer(new HostPort("127.0.0.1", 0), Transport.best(), adminGroup, distributor);
        base = URI.create("http://127.0.0.1:" + admin.bind().getPort());
        if (weights.length > 0) {
            await().atMost(Duration.ofSeconds(15)).until(() -> distributor.links().stream().allMatch(Distributor.LinkStatus::allConnectionsUp));
        }
    }

    AdminCluster(double... weights) throws InterruptedException {
        this(b -> b, weights);
    }

    /** Starts an analyzer server named {@code name}; returns where it listens. */
    HostPort startAnalyzer(String name) throws InterruptedException {
        AnalyzerServer a = AnalyzerServer.start(AnalyzerConfig.defaults(name, new HostPort("127.0.0.1", 0)).withQuiet(true));
        analyzers.put(name, a);
        return new HostPort("127.0.0.1", a.port());
    }

    HostPort emitterAddress() {
        return new HostPort("127.0.0.1", distributor.emitterAddress().getPort());
    }

    EmitterConfig emitter(long idBase) {
        return EmitterConfig.defaults(emitterAddress()).withEmitterIdBase(idBase).withName("e" + idBase).withMessagesPerPacket(16)
            .withMessageBytes(64).withQuiet(true);
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    /** The HTTP response; {@code body} is JSON or null for no body. */
    HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path) {
        return send("GET", path, null);
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + r.body(), e);
        }
    }

    /** {@code GET /api/analyzers} as name → analyzer. */
    Map<String, JsonNode> analyzersByName() {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (JsonNode a : json(get("/api/analyzers"))) {
            m.put(a.get("name").asText(), a);
        }
        return m;
    }

    /** Messages the analyzer server received, duplicates excluded (its own count; a full snapshot, not cheap). */
    long messagesReceivedBy(String analyzer) {
        return analyzers.get(analyzer).snapshot().messages();
    }

    /** Messages the distributor saw ACKed by {@code analyzer} (cheap: no hop to the event loops); 0 once it is removed. */
    long messagesDeliveredTo(String analyzer) {
        return distributor.links().stream().filter(l -> l.name().equals(analyzer)).mapToLong(Distributor.LinkStatus::messagesDelivered)
            .findFirst().orElse(0);
    }

    /**
     * The acked (emitterId, sequence) pairs of the reports that no analyzer received: must
     * be empty, whatever was changed on the way.
     */
    Set<String> lost(List<EmitterReport> reports) {
        return Loss.lost(reports, Loss.receivedBy(analyzers.values()));
    }

    @Override
    public void close() {
        admin.close();
        distributor.close();
        analyzers.values().forEach(AnalyzerServer::close);
        adminGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
