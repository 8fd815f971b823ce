package io.logdist.distributor.e2e;

import io.logdist.analyzer.AnalyzerConfig;
import io.logdist.analyzer.AnalyzerServer;
import io.logdist.distributor.Distributor;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.emitter.EmitterReport;
import io.logdist.distributor.testing.Loss;
import io.logdist.protocol.cli.HostPort;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/**
 * A distributor and its analyzers, all in this JVM on 127.0.0.1 with ephemeral ports,
 * for end-to-end tests. Closing it stops everything it started.
 */
final class Cluster implements AutoCloseable {
    final List<AnalyzerServer> analyzers = new ArrayList<>();
    final double[] weights;
    final Distributor distributor;

    Cluster(double... weights) throws InterruptedException {
        this.weights = weights;
        List<AnalyzerSpec> specs = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            AnalyzerServer a = AnalyzerServer.start(AnalyzerConfig.defaults("a" + (i + 1), new HostPort("127.0.0.1", 0)));
            analyzers.add(a);
            specs.add(new AnalyzerSpec("a" + (i + 1), new HostPort("127.0.0.1", a.port()), weights[i]));
        }
        // A long link timeout: these tests are about routing and crashes, not stall detection, and a
        // loaded test machine must not make a busy in-process analyzer look stalled.
        distributor = Distributor.start(DistributorConfig.builder().listen(new HostPort("127.0.0.1", 0)).analyzers(specs).threads(2)
            .linkTimeout(java.time.Duration.ofSeconds(30)).build());
        await().atMost(Duration.ofSeconds(15)).until(() -> distributor.links().stream().allMatch(Distributor.LinkStatus::allConnectionsUp));
    }

    HostPort emitterAddress() {
        return new HostPort("127.0.0.1", distributor.emitterAddress().getPort());
    }

    /** Messages each analyzer received, duplicates excluded. */
    long[] messagesPerAnalyzer() {
        long[] m = new long[analyzers.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = analyzers.get(i).snapshot().messages();
        }
        return m;
    }

    /** Distinct (emitterId, sequence) pairs received by any analyzer. */
    long distinctReceived() {
        return Loss.receivedBy(analyzers).size();
    }

    /**
     * The acked (emitterId, sequence) pairs of the reports that no analyzer received:
     * must be empty, whatever failed on the way.
     */
    Set<String> lost(List<EmitterReport> reports) {
        return Loss.lost(reports, Loss.receivedBy(analyzers));
    }

    @Override
    public void close() {
        distributor.close();
        analyzers.forEach(AnalyzerServer::close);
    }
}
