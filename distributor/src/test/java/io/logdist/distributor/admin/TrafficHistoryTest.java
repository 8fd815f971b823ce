package io.logdist.distributor.admin;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TrafficHistoryTest {
    private static final long SECOND = 1_000_000_000L;

    private static AnalyzerView view(String name, double weight, double effective, long messages) {
        return new AnalyzerView(name, "127.0.0.1:1", weight, effective, "up", "closed", 0, 0, 0, 0, messages, 0, 0, 1, 1, 1);
    }

    @Test
    void shouldGiveRatesPerSecondAndTheLastMinuteOldestFirst() {
        TrafficHistory h = new TrafficHistory();
        for (int t = 0; t <= 70; t++) {
            h.record(t * SECOND, 100L * t, List.of(new TrafficHistory.AnalyzerSample("a1", 60L * t)),
                List.of(new TrafficHistory.EmitterSample("7@e", 10L * t)));
        }
        assertThat(h.messagesInPerSecond()).isCloseTo(100, within(1e-9));
        assertThat(h.messagesOutPerSecond()).isCloseTo(60, within(1e-9));
        assertThat(h.messagesPerSecond("a1")).isCloseTo(60, within(1e-9));
        assertThat(h.emitterPacketsPerSecond("7@e")).isCloseTo(10, within(1e-9));
        assertThat(h.rateHistory("a1")).hasSize(60).containsOnly(60.0);
        assertThat(h.inHistory()).containsOnly(100.0);
        assertThat(h.recentMessages("a1")).isEqualTo(600);
    }

    @Test
    void shouldCountAnAnalyzerFromWhenItAppearsAndForgetItWhenItGoes() {
        TrafficHistory h = new TrafficHistory();
        h.record(0, 0, List.of(new TrafficHistory.AnalyzerSample("a1", 0)), List.of());
        h.record(SECOND, 0, List.of(new TrafficHistory.AnalyzerSample("a1", 50), new TrafficHistory.AnalyzerSample("a2", 500)), List.of());
        h.record(2 * SECOND, 0, List.of(new TrafficHistory.AnalyzerSample("a1", 100), new TrafficHistory.AnalyzerSample("a2", 530)), List.of());
        assertThat(h.recentMessages("a2")).as("since its first sample, not since 0").isEqualTo(30);
        assertThat(h.messagesPerSecond("a2")).isCloseTo(30, within(1e-9));
        double[] a2 = h.rateHistory("a2");
        assertThat(a2[59]).isEqualTo(30);
        assertThat(a2[58]).as("no rate for its first sample").isZero();
        h.record(3 * SECOND, 0, List.of(new TrafficHistory.AnalyzerSample("a1", 150)), List.of());
        assertThat(h.recentMessages("a2")).isZero();
        assertThat(h.rateHistory("a2")).containsOnly(0.0);
    }

    @Test
    void shouldCountAnAnalyzerMovedUnderItsNameAsNewWhenItsCountStartsAgain() {
        // A move (or DELETE then POST within a second) puts a new analyzer under the name, its
        // count from 0: its share must not read 0 for the next 10 s (a false deviation alarm).
        TrafficHistory h = new TrafficHistory();
        h.record(0, 0, List.of(new TrafficHistory.AnalyzerSample("a1", 1_000_000)), List.of());
        h.record(SECOND, 0, List.of(new TrafficHistory.AnalyzerSample("a1", 1_000_600)), List.of());
        h.record(2 * SECOND, 0, List.of(new TrafficHistory.AnalyzerSample("a1", 500)), List.of());
        h.record(3 * SECOND, 0, List.of(new TrafficHistory.AnalyzerSample("a1", 1_100)), List.of());

        assertThat(h.recentMessages("a1")).isEqualTo(600);
        assertThat(h.messagesPerSecond("a1")).isCloseTo(600, within(1e-9));
    }

    @Test
    void shouldCompareSharesWithWeightsAndEffectiveWeights() {
        TrafficHistory h = new TrafficHistory();
        h.record(0, 0, List.of(new TrafficHistory.AnalyzerSample("a1", 0), new TrafficHistory.AnalyzerSample("a2", 0)), List.of());
        h.record(SECOND, 0, List.of(new TrafficHistory.AnalyzerSample("a1", 700), new TrafficHistory.AnalyzerSample("a2", 300)), List.of());
        List<AnalyzerView> views = List.of(view("a1", 3, 3, 700), view("a2", 1, 0, 300),
            new AnalyzerView("a3", "x:1", 4, 0, "removed", "closed", 0, 0, 0, 0, 999, 0, 0, 1, 1, 1));
        Map<String, Shares.Row> rows = Shares.of(views, h);
        assertThat(rows).containsOnlyKeys("a1", "a2");
        Shares.Row a1 = rows.get("a1");
        assertThat(a1.weightShare()).isCloseTo(0.75, within(1e-9));
        assertThat(a1.expectedShare()).as("a2's effective weight is 0").isCloseTo(1.0, within(1e-9));
        assertThat(a1.sinceStart()).isCloseTo(0.7, within(1e-9));
        assertThat(a1.last10s()).isCloseTo(0.7, within(1e-9));
        assertThat(Shares.maxRecentDeviation(rows)).isCloseTo(0.3, within(1e-9));
        assertThat(Shares.maxDeviationSinceStart(rows)).isCloseTo(0.05, within(1e-9));
    }

    @Test
    void shouldHaveNoSharesBeforeAnythingWasDelivered() {
        Map<String, Shares.Row> rows = Shares.of(List.of(view("a1", 1, 1, 0)), new TrafficHistory());
        assertThat(rows.get("a1").sinceStart()).isNull();
        assertThat(rows.get("a1").last10s()).isNull();
        assertThat(Shares.maxRecentDeviation(rows)).isZero();
    }

    @Test
    void shouldMeasureTheRateInOverTheTimeSinceThePreviousSample() {
        TrafficHistory h = new TrafficHistory();
        h.record(0, 0, List.of(), List.of());
        h.record(2 * SECOND, 100, List.of(), List.of());
        assertThat(h.messagesInPerSecond()).isCloseTo(50, within(1e-9));
        h.record(2 * SECOND + SECOND / 2, 150, List.of(), List.of());
        assertThat(h.messagesInPerSecond()).isCloseTo(100, within(1e-9));
        double[] in = h.inHistory();
        assertThat(in[57]).as("no rate for the first sample").isZero();
        assertThat(in[58]).isCloseTo(50, within(1e-9));
        assertThat(in[59]).isCloseTo(100, within(1e-9));
    }
}
