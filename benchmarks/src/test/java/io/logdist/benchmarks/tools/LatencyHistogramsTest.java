package io.logdist.benchmarks.tools;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LatencyHistogramsTest {
    private static final String BEFORE = """
        # HELP logdist_ack_latency_seconds Time from a PACKET's arrival to the moment it was safe to ACK.
        # TYPE logdist_ack_latency_seconds histogram
        logdist_ack_latency_seconds_bucket{le="0.001"} 10
        logdist_ack_latency_seconds_bucket{le="0.0025"} 10
        logdist_ack_latency_seconds_bucket{le="0.005"} 10
        logdist_ack_latency_seconds_bucket{le="+Inf"} 10
        logdist_ack_latency_seconds_count 10
        logdist_ack_latency_seconds_sum 0.005
        # HELP logdist_packets_in_total PACKETs accepted from emitters.
        # TYPE logdist_packets_in_total counter
        logdist_packets_in_total 10
        """;
    private static final String AFTER = """
        # HELP logdist_ack_latency_seconds Time from a PACKET's arrival to the moment it was safe to ACK.
        # TYPE logdist_ack_latency_seconds histogram
        logdist_ack_latency_seconds_bucket{le="0.001"} 60
        logdist_ack_latency_seconds_bucket{le="0.0025"} 100
        logdist_ack_latency_seconds_bucket{le="0.005"} 110
        logdist_ack_latency_seconds_bucket{le="+Inf"} 110
        logdist_ack_latency_seconds_count 110
        logdist_ack_latency_seconds_sum 0.2
        # HELP logdist_analyzer_round_trip_seconds Time from writing a DELIVER to an analyzer to reading its ACK for it.
        # TYPE logdist_analyzer_round_trip_seconds histogram
        logdist_analyzer_round_trip_seconds_bucket{analyzer="a1",le="0.001"} 30
        logdist_analyzer_round_trip_seconds_bucket{analyzer="a1",le="+Inf"} 40
        logdist_analyzer_round_trip_seconds_count{analyzer="a1"} 40
        logdist_analyzer_round_trip_seconds_sum{analyzer="a1"} 0.1
        logdist_analyzer_round_trip_seconds_bucket{analyzer="a2",le="0.001"} 50
        logdist_analyzer_round_trip_seconds_bucket{analyzer="a2",le="+Inf"} 60
        logdist_analyzer_round_trip_seconds_count{analyzer="a2"} 60
        logdist_analyzer_round_trip_seconds_sum{analyzer="a2"} 0.1
        """;

    @Test
    void shouldGiveAStepsOwnBucketsAndInterpolateItsPercentiles() throws Exception {
        LatencyHistograms.Buckets step = parse(AFTER).get(LatencyHistograms.IN_DISTRIBUTOR)
            .minus(parse(BEFORE).get(LatencyHistograms.IN_DISTRIBUTOR));

        assertThat(step.count()).isEqualTo(100);
        // 50 values up to 1 ms, 40 in (1, 2.5] ms, 10 in (2.5, 5] ms.
        assertThat(step.quantile(0.5)).isCloseTo(0.001, within(1e-9));
        assertThat(step.quantile(0.7)).isCloseTo(0.001 + 0.0015 * 20 / 40, within(1e-9));
        assertThat(step.quantile(0.99)).isCloseTo(0.0025 + 0.0025 * 9 / 10, within(1e-9));
    }

    @Test
    void shouldSumTheAnalyzersAndAnswerTheHighestFiniteBoundInTheOpenBucket() throws Exception {
        LatencyHistograms.Buckets roundTrip = parse(AFTER).get(LatencyHistograms.ANALYZER_ROUND_TRIP);

        assertThat(roundTrip.count()).isEqualTo(100);
        assertThat(roundTrip.quantile(0.5)).isCloseTo(0.001 * 50 / 80, within(1e-9));
        assertThat(roundTrip.quantile(0.99)).isEqualTo(0.001);
    }

    @Test
    void shouldReadAMissingHistogramAsEmpty() throws Exception {
        LatencyHistograms.Buckets none = parse(BEFORE).get(LatencyHistograms.ANALYZER_ROUND_TRIP);

        assertThat(none.count()).isZero();
        assertThat(none.quantile(0.99)).isNaN();
    }

    private static Map<String, LatencyHistograms.Buckets> parse(String text) throws Exception {
        return LatencyHistograms.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }
}
