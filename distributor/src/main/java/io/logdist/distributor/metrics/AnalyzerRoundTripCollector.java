package io.logdist.distributor.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.HdrHistogram.Histogram;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code logdist_analyzer_round_trip_seconds{analyzer}}: a Prometheus classic histogram per
 * analyzer of the time from writing a DELIVER to reading the analyzer's ACK that covers
 * it. Of a packet's time in the distributor this is the analyzer's part (network, its
 * processing, its ACK policy), so a slow analyzer shows here and not in the others.
 *
 * <p>Each link records into its own HdrHistogram recorder; at each scrape this collector
 * takes every link's interval histogram and adds it into that analyzer's
 * {@link LatencyBuckets}. An analyzer that was removed drops out of the output.
 *
 * <p>Thread: {@link #collect()} is called by the registry on the scraping thread (the
 * admin thread); one scrape at a time. Not thread-safe.
 */
final class AnalyzerRoundTripCollector implements Collector {
    static final String NAME = "logdist_analyzer_round_trip_seconds";

    private final Supplier<Map<String, Histogram>> intervalMicrosByAnalyzer;
    private final Map<String, LatencyBuckets> buckets = new HashMap<>();

    AnalyzerRoundTripCollector(Supplier<Map<String, Histogram>> intervalMicrosByAnalyzer) {
        this.intervalMicrosByAnalyzer = intervalMicrosByAnalyzer;
    }

    @Override
    public MetricSnapshot collect() {
        Map<String, Histogram> intervals = intervalMicrosByAnalyzer.get();
        buckets.keySet().retainAll(intervals.keySet());
        HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder()
            .name(NAME)
            .help("Time from writing a DELIVER to an analyzer to reading its ACK for it.");
        intervals.forEach((analyzer, interval) -> {
            LatencyBuckets b = buckets.computeIfAbsent(analyzer, a -> new LatencyBuckets());
            b.add(interval);
            snapshot.dataPoint(b.dataPoint(Labels.of("analyzer", analyzer)));
        });
        return snapshot.build();
    }
}
