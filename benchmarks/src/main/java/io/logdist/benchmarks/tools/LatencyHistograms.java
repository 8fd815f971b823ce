package io.logdist.benchmarks.tools;

import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.MetricType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The distributor's latency histograms ({@code logdist_ack_latency_seconds} and
 * {@code logdist_analyzer_round_trip_seconds}) as read from its {@code /metrics}, so that
 * a benchmark step can say how much of the end-to-end ack latency was spent inside the
 * distributor and in the analyzers' round trips. Two reads, one at each end of a step,
 * give the step's own buckets ({@link Buckets#minus}); {@link Buckets#quantile} then
 * estimates a percentile the way Prometheus' {@code histogram_quantile} does.
 *
 * <p>Thread: any; each call makes its own request.
 */
final class LatencyHistograms {
    static final String IN_DISTRIBUTOR = "logdist_ack_latency_seconds";
    static final String ANALYZER_ROUND_TRIP = "logdist_analyzer_round_trip_seconds";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI metrics;

    LatencyHistograms(URI metrics) {
        this.metrics = metrics;
    }

    /** Reads both histograms now; each is summed over its series (e.g. over analyzers). */
    Map<String, Buckets> read() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + metrics + " answered " + r.statusCode());
        }
        return parse(new ByteArrayInputStream(r.body()));
    }

    /** The two histograms in a Prometheus text exposition; one that is missing reads as empty. */
    static Map<String, Buckets> parse(InputStream text) throws IOException {
        Map<String, Buckets> out = new HashMap<>();
        TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(text);
        MetricFamily f;
        while ((f = parser.parse()) != null) {
            if (f.getType() == MetricType.HISTOGRAM
                && (f.getName().equals(IN_DISTRIBUTOR) || f.getName().equals(ANALYZER_ROUND_TRIP))) {
                TreeMap<Double, Long> cumulative = new TreeMap<>();
                for (Metric m : f.getMetrics()) {
                    for (Histogram.Bucket b : ((Histogram) m).getBuckets()) {
                        cumulative.merge(b.getUpperBound(), b.getCumulativeCount(), Long::sum);
                    }
                }
                out.put(f.getName(), Buckets.of(cumulative));
            }
        }
        out.putIfAbsent(IN_DISTRIBUTOR, Buckets.EMPTY);
        out.putIfAbsent(ANALYZER_ROUND_TRIP, Buckets.EMPTY);
        return out;
    }

    /**
     * Cumulative bucket counts: {@code cumulative[i]} values were at most
     * {@code upperBounds[i]} seconds; the last bound is +Inf.
     */
    record Buckets(double[] upperBounds, long[] cumulative) {
        static final Buckets EMPTY = new Buckets(new double[0], new long[0]);

        static Buckets of(TreeMap<Double, Long> cumulative) {
            return new Buckets(cumulative.keySet().stream().mapToDouble(Double::doubleValue).toArray(),
                cumulative.values().stream().mapToLong(Long::longValue).toArray());
        }

        long count() {
            return cumulative.length == 0 ? 0 : cumulative[cumulative.length - 1];
        }

        /** What was recorded between {@code earlier} and this read (same bounds, or earlier empty). */
        Buckets minus(Buckets earlier) {
            if (earlier.cumulative.length == 0) {
                return this;
            }
            if (!Arrays.equals(upperBounds, earlier.upperBounds)) {
                throw new IllegalArgumentException("the histogram's buckets changed between two reads");
            }
            long[] d = new long[cumulative.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = cumulative[i] - earlier.cumulative[i];
            }
            return new Buckets(upperBounds, d);
        }

        /**
         * The {@code q} quantile in seconds, interpolated linearly inside its bucket (as
         * Prometheus' {@code histogram_quantile}): NaN when nothing was recorded; the
         * highest finite bound when it falls in the +Inf bucket.
         */
        double quantile(double q) {
            long total = count();
            if (total == 0) {
                return Double.NaN;
            }
            double rank = q * total;
            int i = 0;
            while (cumulative[i] < rank) {
                i++;
            }
            if (Double.isInfinite(upperBounds[i])) {
                return i == 0 ? Double.NaN : upperBounds[i - 1];
            }
            double lower = i == 0 ? 0 : upperBounds[i - 1];
            long below = i == 0 ? 0 : cumulative[i - 1];
            long inBucket = cumulative[i] - below;
            return inBucket == 0 ? upperBounds[i] : lower + (upperBounds[i] - lower) * (rank - below) / inBucket;
        }
    }
}
