package io.logdist.distributor.e2e;

import io.logdist.emitter.Emitter;
import io.logdist.emitter.EmitterConfig;
import io.logdist.emitter.EmitterReport;
import io.logdist.emitter.PrioritySpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The whole pipeline in one JVM: real emitters, the distributor and real analyzers over
 * 127.0.0.1.
 */
class EndToEndTest {

    private static EmitterConfig emitter(Cluster c, long idBase, int messagesPerPacket, long maxPackets, long rate, Duration duration) {
        EmitterConfig d = EmitterConfig.defaults(c.emitterAddress());
        return new EmitterConfig(d.distributor(), rate, duration, messagesPerPacket, 64, 2, PrioritySpec.parse("random"),
            null, 128, idBase, "e" + idBase, Duration.ofSeconds(30), null, maxPackets, true);
    }

    @Test
    void shouldSplitMessagesFromSeveralEmittersWithinOnePointOfTheWeights() throws Exception {
        try (Cluster c = new Cluster(0.4, 0.3, 0.2, 0.1)) {
            List<Emitter> emitters = List.of(
                Emitter.start(emitter(c, 1_000, 64, 1_000, 0, Duration.ZERO)),
                Emitter.start(emitter(c, 2_000, 17, 2_000, 0, Duration.ZERO)),
                Emitter.start(emitter(c, 3_000, 5, 4_000, 0, Duration.ZERO)));
            List<EmitterReport> reports = new ArrayList<>();
            for (Emitter e : emitters) {
                reports.add(e.completion().get(90, TimeUnit.SECONDS));
                e.close();
            }
            long acked = reports.stream().mapToLong(EmitterReport::messagesAcked).sum();
            assertThat(acked).isEqualTo(64L * 1_000 + 17L * 2_000 + 5L * 4_000);
            long ackedPackets = reports.stream().mapToLong(EmitterReport::packetsAcked).sum();
            await().atMost(Duration.ofSeconds(5)).until(() -> c.distinctReceived() == ackedPackets);
            long[] m = c.messagesPerAnalyzer();
            for (int i = 0; i < m.length; i++) {
                assertThat((double) m[i] / acked).as("share of a%d", i + 1).isCloseTo(c.weights[i], within(0.01));
            }
            assertThat(c.lost(reports)).isEmpty();
        }
    }

    @Test
    void shouldLoseNothingAckedWhenAnAnalyzerIsKilledMidRun() throws Exception {
        try (Cluster c = new Cluster(0.5, 0.3, 0.2)) {
            Emitter e = Emitter.start(emitter(c, 5_000, 16, 0, 40_000, Duration.ofSeconds(4)));
            await().atMost(Duration.ofSeconds(10)).until(() -> c.analyzers.get(1).snapshot().packets() > 300);
            c.analyzers.get(1).close();
            long[] atKill = c.messagesPerAnalyzer();
            EmitterReport report = e.completion().get(60, TimeUnit.SECONDS);
            e.close();
            assertThat(report.packetsAcked()).isGreaterThan(1_000);
            assertThat(report.packetsAcked()).isEqualTo(report.packetsSent() - report.packetsNacked());
            assertThat(c.lost(List.of(report))).isEmpty();
            assertThat(c.distributor.links().get(1).up()).isFalse();
            // The survivors took everything after the kill, in their ratio to each other (5:2).
            long[] end = c.messagesPerAnalyzer();
            long d0 = end[0] - atKill[0];
            long d2 = end[2] - atKill[2];
            assertThat(d0 + d2).isGreaterThan(20_000);
            assertThat((double) d0 / (d0 + d2)).isCloseTo(5.0 / 7, within(0.02));
        }
    }
}
