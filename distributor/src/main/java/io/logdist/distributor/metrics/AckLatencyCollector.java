package io.logdist.distributor.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.HdrHistogram.Histogram;

import java.util.function.Supplier;

/**
 * {@code logdist_ack_latency_seconds}: a Prometheus classic histogram of the time from a
 * PACKET's arrival to the moment it became safe to ACK.
 *
 * <p>The distributor records latencies per packet into an HdrHistogram {@code Recorder};
 * at each scrape this collector takes the interval histogram (microseconds, everything
 * recorded since the previous scrape) and adds it into its {@link LatencyBuckets}, so
 * nothing is observed on the data path.
 *
 * <p>Thread: {@link #collect()} is called by the registry on the scraping thread (the
 * admin thread); one scrape at a time. Not thread-safe.
 */
final class AckLatencyCollector implements Collector {
    static final String NAME = "logdist_ack_latency_seconds";

    private final Supplier<Histogram> intervalMicros;
    private final LatencyBuckets buckets = new LatencyBuckets();

    AckLatencyCollector(Supplier<Histogram> intervalMicros) {
        this.intervalMicros = intervalMicros;
    }

    @Override
    public MetricSnapshot collect() {
        Histogram interval = intervalMicros.get();
        if (interval != null) {
            buckets.add(interval);
        }
        return HistogramSnapshot.builder()
            .name(NAME)
            .help("Time from a PACKET's arrival to the moment it was safe to ACK (an analyzer ACKed its DELIVER).")
            .dataPoint(buckets.dataPoint(Labels.EMPTY))
            .build();
    }
}
