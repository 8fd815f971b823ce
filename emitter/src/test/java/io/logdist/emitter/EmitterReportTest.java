package io.logdist.emitter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmitterReportTest {
    private static EmitterReport report() {
        Map<Long, EmitterReport.EmitterProgress> emitters = new LinkedHashMap<>();
        emitters.put(9_007_199_254_740_993L, new EmitterReport.EmitterProgress(1, 12, new long[] {3, 7}));
        emitters.put(5L, new EmitterReport.EmitterProgress(1, 0, new long[0]));
        return new EmitterReport(14, 10, 2, 320, 40_960, 2.5, 128.0, 0.016384,
            new EmitterReport.Latency(800, 1_200, 2_000, 5_100), new EmitterReport.Latency(30, 90, 400, 700),
            emitters, 6, 1_700_000_000_123_456L);
    }

    @Test
    void shouldWriteEveryKeyToolsRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("report.json");

        report().writeJson(file);

        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertThat(json.get("packets_sent").asLong()).isEqualTo(14);
        assertThat(json.get("packets_acked").asLong()).isEqualTo(10);
        assertThat(json.get("packets_nacked").asLong()).isEqualTo(2);
        assertThat(json.get("messages_acked").asLong()).isEqualTo(320);
        assertThat(json.get("bytes_acked").asLong()).isEqualTo(40_960);
        assertThat(json.get("seconds").asDouble()).isEqualTo(2.5);
        assertThat(json.get("msgs_per_s").asDouble()).isEqualTo(128.0);
        assertThat(json.get("mb_per_s").asDouble()).isEqualTo(0.016384);
        assertThat(json.get("started_at_micros").asLong()).isEqualTo(1_700_000_000_123_456L);
        JsonNode latency = json.get("latency_us");
        assertThat(latency.get("p50").asLong()).isEqualTo(800);
        assertThat(latency.get("p99").asLong()).isEqualTo(1_200);
        assertThat(latency.get("p999").asLong()).isEqualTo(2_000);
        assertThat(latency.get("max").asLong()).isEqualTo(5_100);
        JsonNode lag = json.get("send_lag_us");
        assertThat(lag.get("p50").asLong()).isEqualTo(30);
        assertThat(lag.get("p99").asLong()).isEqualTo(90);
        assertThat(lag.get("p999").asLong()).isEqualTo(400);
        assertThat(lag.get("max").asLong()).isEqualTo(700);
        // Ids above 2^53 survive as decimal strings.
        JsonNode big = json.get("emitters").get("9007199254740993");
        assertThat(big.get("acked_through").asLong()).isEqualTo(12);
        assertThat(big.get("first_sequence").asLong()).isEqualTo(1);
        assertThat(big.get("refused").get(0).asLong()).isEqualTo(3);
        assertThat(big.get("refused").get(1).asLong()).isEqualTo(7);
        assertThat(json.get("emitters").get("5").get("refused").isArray()).isTrue();
        assertThat(json.get("replayed_packets").asLong()).isEqualTo(6);
    }

    @Test
    void shouldSayWhichFileCouldNotBeWritten(@TempDir Path dir) {
        Path file = dir.resolve("missing-dir").resolve("report.json");

        assertThatThrownBy(() -> report().writeJson(file))
            .isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining(file.toString());
    }

    @Test
    void shouldCompareProgressByValueAndNotShareItsArray() {
        long[] refused = {1, 2};
        EmitterReport.EmitterProgress p = new EmitterReport.EmitterProgress(1, 4, refused);
        refused[0] = 99;

        assertThat(p).isEqualTo(new EmitterReport.EmitterProgress(1, 4, new long[] {1, 2}));
        assertThat(p.refused()).containsExactly(1, 2);
        p.refused()[1] = 99;
        assertThat(p.refused()).containsExactly(1, 2);
    }
}
