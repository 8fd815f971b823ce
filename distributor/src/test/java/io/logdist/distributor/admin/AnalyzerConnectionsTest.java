package io.logdist.distributor.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.logdist.emitter.Emitter;
import io.logdist.emitter.EmitterReport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Fewer connections to each analyzer than event loops ({@code analyzerConnections}): the
 * loops without one route over the others' connections, and the weights still hold.
 */
class AnalyzerConnectionsTest {

    @Test
    void shouldHoldTheWeightsWithOneConnectionPerAnalyzerOnTwoLoops() throws Exception {
        try (AdminCluster c = new AdminCluster(b -> b.analyzerConnections(1), 3, 1)) {
            // Two emitter connections: accepted connections go to the loops in turn, so both the own-loop and the
            // cross-loop path carry packets.
            try (Emitter e = Emitter.start(c.emitter(5_000).withMaxPackets(4_000).withDuration(Duration.ZERO).withConnections(2))) {
                EmitterReport r = e.completion().get(60, TimeUnit.SECONDS);
                assertThat(r.messagesAcked()).isEqualTo(4_000L * 16);
                assertThat(c.lost(List.of(r))).isEmpty();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> c.messagesReceivedBy("a1") + c.messagesReceivedBy("a2") == 4_000L * 16);
            Map<String, JsonNode> a = c.analyzersByName();
            for (String name : List.of("a1", "a2")) {
                assertThat(a.get(name).get("connections").asInt()).as("%s: one connection", name).isEqualTo(1);
                assertThat(a.get(name).get("connects").asLong()).isEqualTo(1);
            }
            assertThat(a.get("a1").get("share").get("sinceStart").asDouble()).isCloseTo(0.75, within(0.01));
        }
    }
}
