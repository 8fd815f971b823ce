package io.logdist.distributor.admin;

import io.logdist.emitter.Emitter;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.MetricType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /metrics} parses as the Prometheus text format (Hawkular's parser, a port of
 * the reference Python client's), every sample line is understood, and the values agree
 * with the JSON API and with what the analyzers received.
 */
class MetricsEndpointTest {

    @Test
    void shouldServeMetricsThatParseAndAgreeWithTheApi() throws Exception {
        try (AdminCluster c = new AdminCluster(2, 1)) {
            try (Emitter e = Emitter.start(c.emitter(9_000).withMaxPackets(1_500).withDuration(Duration.ZERO))) {
                assertThat(e.completion().get(60, TimeUnit.SECONDS).packetsAcked()).isEqualTo(1_500);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> c.messagesReceivedBy("a1") + c.messagesReceivedBy("a2") == 24_000);

            HttpResponse<String> r = c.get("/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
            Map<String, MetricFamily> families = parse(r.body());

            assertThat(families.keySet()).contains(
                "logdist_packets_in_total", "logdist_messages_in_total", "logdist_bytes_in_total",
                "logdist_packets_out_total", "logdist_messages_out_total", "logdist_bytes_out_total",
                "logdist_nacks_total", "logdist_reroutes_total", "logdist_dead_letters_total",
                "logdist_queue_packets", "logdist_queue_bytes", "logdist_unacked_deliveries", "logdist_analyzer_connections_up",
                "logdist_link_state", "logdist_circuit_state", "logdist_emitter_connections",
                "logdist_ack_latency_seconds", "logdist_analyzer_round_trip_seconds", "logdist_share_deviation_max");
            assertThat(families.get("logdist_packets_in_total").getType()).isEqualTo(MetricType.COUNTER);
            assertThat(families.get("logdist_ack_latency_seconds").getType()).isEqualTo(MetricType.HISTOGRAM);

            assertThat(value(families, "logdist_packets_in_total", Map.of())).isEqualTo(1_500);
            assertThat(value(families, "logdist_messages_in_total", Map.of())).isEqualTo(24_000);
            assertThat(value(families, "logdist_messages_out_total", Map.of("analyzer", "a1"))).isEqualTo(c.messagesReceivedBy("a1"));
            assertThat(value(families, "logdist_messages_out_total", Map.of("analyzer", "a2"))).isEqualTo(c.messagesReceivedBy("a2"));
            assertThat(value(families, "logdist_packets_out_total", Map.of("analyzer", "a1"))
                + value(families, "logdist_packets_out_total", Map.of("analyzer", "a2"))).isEqualTo(1_500);
            assertThat(value(families, "logdist_link_state", Map.of("analyzer", "a1", "state", "up"))).isEqualTo(1);
            assertThat(value(families, "logdist_link_state", Map.of("analyzer", "a1", "state", "down"))).isEqualTo(0);
            assertThat(value(families, "logdist_circuit_state", Map.of("analyzer", "a2", "state", "closed"))).isEqualTo(1);
            assertThat(value(families, "logdist_queue_packets", Map.of("analyzer", "a1"))).isEqualTo(0);
            assertThat(value(families, "logdist_nacks_total", Map.of("code", "no_analyzers"))).isEqualTo(0);
            assertThat(value(families, "logdist_share_deviation_max", Map.of("window", "start"))).isBetween(0.0, 0.01);

            Histogram latency = (Histogram) families.get("logdist_ack_latency_seconds").getMetrics().get(0);
            assertThat(latency.getSampleCount()).as("one latency per packet made safe").isEqualTo(1_500);
            assertThat(latency.getSampleSum()).isPositive();
            long previous = 0;
            for (Histogram.Bucket b : latency.getBuckets()) {
                assertThat(b.getCumulativeCount()).isGreaterThanOrEqualTo(previous);
                previous = b.getCumulativeCount();
            }
            assertThat(previous).isEqualTo(1_500);

            // One round trip per packet each analyzer ACKed, under that analyzer's name.
            assertThat(families.get("logdist_analyzer_round_trip_seconds").getType()).isEqualTo(MetricType.HISTOGRAM);
            for (String a : List.of("a1", "a2")) {
                Histogram roundTrip = histogram(families, "logdist_analyzer_round_trip_seconds", Map.of("analyzer", a));
                assertThat(roundTrip.getSampleCount()).as("round trips of %s", a)
                    .isEqualTo((long) value(families, "logdist_packets_out_total", Map.of("analyzer", a)));
                assertThat(roundTrip.getSampleSum()).isPositive();
            }

            // A second scrape keeps the histograms cumulative (the interval histograms add up).
            Map<String, MetricFamily> second = parse(c.get("/metrics").body());
            Histogram again = (Histogram) second.get("logdist_ack_latency_seconds").getMetrics().get(0);
            assertThat(again.getSampleCount()).isEqualTo(1_500);
            assertThat(histogram(second, "logdist_analyzer_round_trip_seconds", Map.of("analyzer", "a1")).getSampleCount()
                + histogram(second, "logdist_analyzer_round_trip_seconds", Map.of("analyzer", "a2")).getSampleCount())
                .isEqualTo(1_500);
        }
    }

    /**
     * Parses the text format and checks that the parser understood every sample line (it
     * skips lines it cannot read, so a malformed line shows up as a missing sample).
     */
    private static Map<String, MetricFamily> parse(String text) throws IOException {
        TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        Map<String, MetricFamily> families = new LinkedHashMap<>();
        long samples = 0;
        MetricFamily f;
        while ((f = parser.parse()) != null) {
            assertThat(families.put(f.getName(), f)).as("family %s appears once", f.getName()).isNull();
            for (Metric m : f.getMetrics()) {
                samples += m instanceof Histogram h ? h.getBuckets().size() + 2 : 1;
            }
        }
        long lines = text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count();
        assertThat(samples).as("samples understood by the parser vs sample lines in:%n%s", text).isEqualTo(lines);
        return families;
    }

    private static Histogram histogram(Map<String, MetricFamily> families, String name, Map<String, String> labels) {
        return (Histogram) metric(families, name, labels);
    }

    private static double value(Map<String, MetricFamily> families, String name, Map<String, String> labels) {
        Metric m = metric(families, name, labels);
        return m instanceof Counter counter ? counter.getValue() : ((Gauge) m).getValue();
    }

    /** The one series of family {@code name} with exactly these labels. */
    private static Metric metric(Map<String, MetricFamily> families, String name, Map<String, String> labels) {
        MetricFamily f = families.get(name);
        assertThat(f).as(name).isNotNull();
        List<Metric> matching = f.getMetrics().stream().filter(m -> m.getLabels().equals(labels)).toList();
        assertThat(matching).as("%s%s", name, labels).hasSize(1);
        return matching.get(0);
    }
}
