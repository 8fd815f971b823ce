package io.logdist.distributor.admin;

import io.logdist.emitter.Emitter;
import io.logdist.emitter.EmitterReport;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Changes through the admin API while an emitter streams: routing follows at once, no
 * connection is dropped and nothing acknowledged is lost.
 *
 * <p>Each step waits for a count of messages, not for a time, so a slow machine only makes
 * the test slower. Shares are counted on the messages routed to each analyzer (ACKed, plus
 * queued and unacknowledged packets, from the links' views): routing is what the
 * weights govern, and ACKs arrive in batches too coarse to measure a short window by.
 * Loss is checked against what the analyzers recorded.
 */
class ChangesUnderLoadTest {
    private static final int MESSAGES_PER_PACKET = 32;
    private static final long PACKETS = 6_000;

    private static Emitter load(AdminCluster c, long idBase) {
        return Emitter.start(c.emitter(idBase).withMessagesPerPacket(MESSAGES_PER_PACKET).withRatePerSecond(32_000)
            .withDuration(Duration.ZERO).withMaxPackets(PACKETS).withConnections(2));
    }

    private static ConditionFactory waiting() {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50));
    }

    @Test
    void shouldMoveTheSharesToANewWeightUnderLoad() throws Exception {
        try (AdminCluster c = new AdminCluster(1, 1); Emitter e = load(c, 10_000)) {
            long[] start = awaitRouted(c, 8_000, new long[2]);
            long[] beforeChange = awaitRouted(c, 32_000, start);
            assertThat(share(start, beforeChange)).as("a1's share at weights 1:1").isCloseTo(0.5, within(0.02));

            HttpResponse<String> r = c.send("PUT", "/api/analyzers/a1", "{\"weight\": 3}");
            assertThat(r.statusCode()).isEqualTo(200);
            long[] atChange = routed(c);
            long[] after = awaitRouted(c, 64_000, atChange);
            assertThat(share(atChange, after)).as("a1's share after its weight went from 1 to 3 (of 4)").isCloseTo(0.75, within(0.02));

            EmitterReport report = e.completion().get(120, TimeUnit.SECONDS);
            assertThat(c.analyzersByName().get("a1").get("expectedShare").asDouble()).isCloseTo(0.75, within(1e-9));

            assertThat(report.packetsAcked()).isEqualTo(PACKETS);
            assertThat(c.lost(List.of(report))).isEmpty();
            assertThat(c.analyzersByName().get("a1").get("connects").asLong()).as("no connection was dropped (one per event loop)").isEqualTo(AdminCluster.LOOPS);
            assertThat(c.analyzersByName().get("a2").get("connects").asLong()).isEqualTo(AdminCluster.LOOPS);
        }
    }

    @Test
    void shouldAddAndRemoveAnAnalyzerUnderLoadLosingNothing() throws Exception {
        try (AdminCluster c = new AdminCluster(1, 1); Emitter e = load(c, 20_000)) {
            awaitRouted(c, 16_000, new long[2]);

            String a3 = c.startAnalyzer("a3").toString();
            HttpResponse<String> added = c.send("POST", "/api/analyzers", "{\"name\": \"a3\", \"address\": \"" + a3 + "\", \"weight\": 1}");
            assertThat(added.statusCode()).isEqualTo(201);
            waiting().until(() -> c.messagesDeliveredTo("a3") >= 4_000);

            long deliveredBefore = c.distributor.messagesDelivered();
            assertThat(c.send("DELETE", "/api/analyzers/a1", null).statusCode()).isEqualTo(202);
            waiting().until(() -> c.distributor.links().stream().noneMatch(l -> l.name().equals("a1")));
            assertThat(AdminCluster.json(c.get("/api/status")).get("messagesDelivered").asLong())
                .as("the total keeps what the removed analyzer had").isGreaterThanOrEqualTo(deliveredBefore);
            long a1AtRemoval = c.messagesReceivedBy("a1");
            long[] atRemoval = routed(c, "a2", "a3");

            EmitterReport report = e.completion().get(120, TimeUnit.SECONDS);
            assertThat(report.packetsAcked()).isEqualTo(PACKETS);
            assertThat(c.lost(List.of(report))).as("acknowledged packets no analyzer received").isEmpty();
            assertThat(c.messagesReceivedBy("a1")).as("a removed analyzer gets nothing more").isEqualTo(a1AtRemoval);
            assertThat(c.analyzersByName().keySet()).containsExactly("a2", "a3");
            long[] end = routed(c, "a2", "a3");
            assertThat(total(end) - total(atRemoval)).as("messages after the removal").isGreaterThan(40_000);
            assertThat(share(atRemoval, end)).as("a2 and a3 split 1:1").isCloseTo(0.5, within(0.02));
            long received = c.analyzers.values().stream().mapToLong(a -> a.snapshot().messages()).sum();
            assertThat(received).as("every acknowledged message was received").isGreaterThanOrEqualTo(report.messagesAcked());
        }
    }

    /** Waits until a1 and a2 together were routed {@code messages} more than at {@code from}; returns the counts then. */
    private static long[] awaitRouted(AdminCluster c, long messages, long[] from) {
        waiting().until(() -> total(routed(c)) - total(from) >= messages);
        return routed(c);
    }

    private static long[] routed(AdminCluster c) {
        return routed(c, "a1", "a2");
    }

    /**
     * Messages routed to each of the two analyzers so far: ACKed, plus queued and
     * unacknowledged packets. Links are viewed one after the other while packets keep
     * being routed, so the first is viewed twice, around the second, and interpolated to
     * the moment the second was viewed.
     */
    private static long[] routed(AdminCluster c, String first, String second) {
        Map<String, Long> before = routedNow(c);
        Map<String, Long> after = routedNow(c);
        return new long[] {(before.getOrDefault(first, 0L) + after.getOrDefault(first, 0L)) / 2, before.getOrDefault(second, 0L)};
    }

    private static Map<String, Long> routedNow(AdminCluster c) {
        Map<String, Long> m = new HashMap<>();
        for (AnalyzerView v : c.distributor.analyzers()) {
            m.put(v.name(), v.messagesDelivered() + MESSAGES_PER_PACKET * (v.queuedPackets() + v.unacked()));
        }
        return m;
    }

    private static long total(long[] m) {
        return m[0] + m[1];
    }

    private static double share(long[] from, long[] to) {
        long a1 = to[0] - from[0];
        long a2 = to[1] - from[1];
        return (double) a1 / (a1 + a2);
    }
}
