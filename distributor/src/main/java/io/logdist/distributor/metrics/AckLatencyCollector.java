package io.logdist.distributor.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.Arrays;
import java.util.function.Supplier;

/**
 * {@code logdist_ack_latency_seconds}: a Prometheus classic histogram of the time from a
 * PACKET's arrival to the moment it became safe to ACK.
 *
 * <p>The distributor records latencies per packet into an HdrHistogram {@code Recorder};
 * at each scrape this collector takes the interval histogram (microseconds, everything
 * recorded since the previous scrape) and adds each recorded value's count to the
 * Prometheus bucket it falls in, so the buckets are cumulative since start as Prometheus
 * expects, and nothing is observed on the data path. Values are as precise as the
 * HdrHistogram (its value-equivalence range); {@code _sum} adds each value's
 * median-equivalent.
 *
 * <p>Thread: {@link #collect()} is called by the registry on the scraping thread (the
 * admin thread); one scrape at a time. Not thread-safe.
 */
final class AckLatencyCollector implements Collector {
    static final String NAME = "logdist_ack_latency_seconds";
    /** Upper bounds in seconds, 100 µs to 10 s; +Inf is added. */
    static final double[] UPPER_BOUNDS_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Supplier<Histogram> intervalMicros;
    private final double[] bounds;
    private final long[] boundsMicros;
    private final long[] counts;
    private double sumSeconds;

    AckLatencyCollector(Supplier<Histogram> intervalMicros) {
        this.intervalMicros = intervalMicros;
        this.bounds = Arrays.copyOf(UPPER_BOUNDS_SECONDS, UPPER_BOUNDS_SECONDS.length + 1);
        this.bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        this.boundsMicros = new long[UPPER_BOUNDS_SECONDS.length];
        for (int i = 0; i < boundsMicros.length; i++) {
            boundsMicros[i] = Math.round(UPPER_BOUNDS_SECONDS[i] * 1e6);
        }
        this.counts = new long[bounds.length];
    }

    @Override
    public MetricSnapshot collect() {
        Histogram interval = intervalMicros.get();
        if (interval != null) {
            add(interval);
        }
        return HistogramSnapshot.builder()
            .name(NAME)
            .help("Time from a PACKET's arrival to the moment it was safe to ACK (an analyzer ACKed its DELIVER).")
            .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts.clone()))
                .sum(sumSeconds)
                .build())
            .build();
    }

    private void add(Histogram interval) {
        for (HistogramIterationValue v : interval.recordedValues()) {
            long micros = v.getValueIteratedTo();
            long n = v.getCountAtValueIteratedTo();
            int i = Arrays.binarySearch(boundsMicros, micros);
            // A value equal to a bound belongs to that bucket (le); otherwise the first bound above it.
            counts[i >= 0 ? i : -i - 1] += n;
            sumSeconds += n * (interval.medianEquivalentValue(micros) / 1e6);
        }
    }
}
