package io.logdist.distributor.metrics;

import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AnalyzerRoundTripCollectorTest {
    private final Deque<Map<String, Histogram>> scrapes = new ArrayDeque<>();
    private final AnalyzerRoundTripCollector collector = new AnalyzerRoundTripCollector(scrapes::poll);

    @Test
    void shouldKeepEachAnalyzersBucketsCumulativeAcrossScrapes() {
        scrapes.add(intervals("a1", new long[] {80, 300, 4_000}, "a2", new long[] {90}));
        scrapes.add(intervals("a1", new long[] {120}, "a2", new long[0]));

        collector.collect();
        HistogramSnapshot second = (HistogramSnapshot) collector.collect();

        HistogramDataPointSnapshot a1 = point(second, "a1");
        assertThat(a1.getCount()).isEqualTo(4);
        // le=100 µs holds 80; le=250 µs adds 120; le=500 µs adds 300; le=5 ms adds 4,000.
        assertThat(cumulativeAt(a1, 0.0001)).isEqualTo(1);
        assertThat(cumulativeAt(a1, 0.00025)).isEqualTo(2);
        assertThat(cumulativeAt(a1, 0.0005)).isEqualTo(3);
        assertThat(cumulativeAt(a1, 0.0025)).isEqualTo(3);
        assertThat(cumulativeAt(a1, 0.005)).isEqualTo(4);
        assertThat(a1.getSum()).isBetween(0.0044, 0.0046);
        assertThat(point(second, "a2").getCount()).isEqualTo(1);
    }

    @Test
    void shouldDropAnAnalyzerThatIsGone() {
        scrapes.add(intervals("a1", new long[] {100}, "a2", new long[] {100}));
        scrapes.add(intervals("a1", new long[0], null, null));
        scrapes.add(intervals("a1", new long[0], "a2", new long[] {100}));

        collector.collect();
        HistogramSnapshot withoutA2 = (HistogramSnapshot) collector.collect();
        HistogramSnapshot a2Again = (HistogramSnapshot) collector.collect();

        assertThat(withoutA2.getDataPoints()).extracting(p -> p.getLabels().get("analyzer")).containsExactly("a1");
        // Added again under the same name, it starts from nothing.
        assertThat(point(a2Again, "a2").getCount()).isEqualTo(1);
    }

    @Test
    void shouldDescribeTheMetricWhenThereIsNoAnalyzer() {
        scrapes.add(Map.of());

        HistogramSnapshot s = (HistogramSnapshot) collector.collect();

        assertThat(s.getMetadata().getName()).isEqualTo("logdist_analyzer_round_trip_seconds");
        assertThat(s.getDataPoints()).isEmpty();
    }

    private static Map<String, Histogram> intervals(String a, long[] aMicros, String b, long[] bMicros) {
        Map<String, Histogram> m = new LinkedHashMap<>();
        m.put(a, histogram(aMicros));
        if (b != null) {
            m.put(b, histogram(bMicros));
        }
        return m;
    }

    private static Histogram histogram(long[] micros) {
        Histogram h = new Histogram(3_600_000_000L, 3);
        for (long v : micros) {
            h.recordValue(v);
        }
        return h;
    }

    private static HistogramDataPointSnapshot point(HistogramSnapshot s, String analyzer) {
        return s.getDataPoints().stream().filter(p -> analyzer.equals(p.getLabels().get("analyzer"))).findFirst().orElseThrow();
    }

    private static long cumulativeAt(HistogramDataPointSnapshot p, double upperBound) {
        long cumulative = 0;
        for (var bucket : p.getClassicBuckets()) {
            cumulative += bucket.getCount();
            if (bucket.getUpperBound() == upperBound) {
                return cumulative;
            }
        }
        throw new AssertionError("no bucket le=" + upperBound);
    }
}
