package io.logdist.distributor.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.util.Arrays;

/**
 * One Prometheus classic histogram series kept from HdrHistogram intervals: each
 * recorded value's count goes into the bucket it falls in, so the buckets are cumulative
 * since start as Prometheus expects while the data path only records into an
 * HdrHistogram recorder. Values are as precise as the HdrHistogram (its value-equivalence
 * range); {@code _sum} adds each value's median-equivalent.
 *
 * <p>Not thread-safe: owned by one collector, which the registry calls one scrape at a time.
 */
final class LatencyBuckets {
    /** Upper bounds in seconds, 100 µs to 10 s; +Inf is added. */
    static final double[] UPPER_BOUNDS_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private static final double[] BOUNDS = withInfinity(UPPER_BOUNDS_SECONDS);
    private static final long[] BOUNDS_MICROS = Arrays.stream(UPPER_BOUNDS_SECONDS).mapToLong(s -> Math.round(s * 1e6)).toArray();

    private final long[] counts = new long[BOUNDS.length];
    private double sumSeconds;

    /** Adds an interval histogram of microseconds. */
    void add(Histogram intervalMicros) {
        for (HistogramIterationValue v : intervalMicros.recordedValues()) {
            long micros = v.getValueIteratedTo();
            long n = v.getCountAtValueIteratedTo();
            int i = Arrays.binarySearch(BOUNDS_MICROS, micros);
            // A value equal to a bound belongs to that bucket (le); otherwise the first bound above it.
            counts[i >= 0 ? i : -i - 1] += n;
            sumSeconds += n * (intervalMicros.medianEquivalentValue(micros) / 1e6);
        }
    }

    /** Everything added so far, as one data point with {@code labels}. */
    HistogramSnapshot.HistogramDataPointSnapshot dataPoint(Labels labels) {
        return HistogramSnapshot.HistogramDataPointSnapshot.builder()
            .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, counts.clone()))
            .sum(sumSeconds)
            .labels(labels)
            .build();
    }

    private static double[] withInfinity(double[] bounds) {
        double[] b = Arrays.copyOf(bounds, bounds.length + 1);
        b[b.length - 1] = Double.POSITIVE_INFINITY;
        return b;
    }
}
