package io.logdist.distributor.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.logdist.emitter.Emitter;
import io.logdist.emitter.EmitterReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Every admin endpoint against a running distributor with two real analyzers (weights 3
 * and 1), including the error cases; one cluster for the class, tests in a fixed order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminApiTest {
    private AdminCluster c;

    @BeforeAll
    void start() throws Exception {
        c = new AdminCluster(3, 1);
    }

    @AfterAll
    void stop() {
        if (c != null) {
            c.close();
        }
    }

    @Test
    @Order(1)
    void shouldListEachAnalyzerWithItsStateCountersAndShares() throws Exception {
        try (Emitter e = Emitter.start(c.emitter(1_000).withMaxPackets(2_000).withDuration(Duration.ZERO))) {
            EmitterReport r = e.completion().get(60, TimeUnit.SECONDS);
            assertThat(r.messagesAcked()).isEqualTo(32_000);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> sumDelivered() == 32_000);
        Map<String, JsonNode> a = c.analyzersByName();
        assertThat(a.keySet()).containsExactly("a1", "a2");
        JsonNode a1 = a.get("a1");
        assertThat(a1.get("address").asText()).isEqualTo("127.0.0.1:" + c.analyzers.get("a1").port());
        assertThat(a1.get("weight").asDouble()).isEqualTo(3.0);
        assertThat(a1.get("effectiveWeight").asDouble()).isEqualTo(3.0);
        assertThat(a1.get("state").asText()).isEqualTo("up");
        assertThat(a1.get("circuit").asText()).isEqualTo("closed");
        assertThat(a1.get("queuedPackets").asLong()).isZero();
        assertThat(a1.get("queuedBytes").asLong()).isZero();
        assertThat(a1.get("unacked").asInt()).isZero();
        assertThat(a1.get("messagesDelivered").asLong()).isEqualTo(c.messagesReceivedBy("a1"));
        assertThat(a1.get("packetsDelivered").asLong()).isPositive();
        assertThat(a1.get("bytesDelivered").asLong()).isPositive();
        assertThat(a1.get("connects").asLong()).as("one connection per event loop").isEqualTo(AdminCluster.LOOPS);
        assertThat(a1.get("connections").asInt()).isEqualTo(AdminCluster.LOOPS);
        assertThat(a1.get("connectionsUp").asInt()).isEqualTo(AdminCluster.LOOPS);
        assertThat(a1.get("weightShare").asDouble()).isCloseTo(0.75, within(1e-9));
        assertThat(a1.get("share").get("sinceStart").asDouble()).isCloseTo(0.75, within(0.01));
        assertThat(a.get("a2").get("share").get("sinceStart").asDouble()).isCloseTo(0.25, within(0.01));
        // The 10-second share comes from the once-a-second samples: once one was taken after the
        // run (the cluster started less than 10 s ago), it covers all of it.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(c.analyzersByName().get("a1").get("share").get("last10s").asDouble()).isCloseTo(0.75, within(0.01)));

        JsonNode status = AdminCluster.json(c.get("/api/status"));
        assertThat(status.get("messagesIn").asLong()).isEqualTo(32_000);
        assertThat(status.get("messagesDelivered").asLong()).isEqualTo(32_000);
        assertThat(status.get("analyzersUp").asInt()).isEqualTo(2);
    }

    @Test
    @Order(2)
    void shouldListConnectedEmittersWithTheirRateAndWindow() {
        Emitter e = Emitter.start(c.emitter(2_000).withRatePerSecond(8_000).withDuration(Duration.ofSeconds(30)));
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode list = AdminCluster.json(c.get("/api/emitters"));
                assertThat(list).hasSize(1);
                JsonNode em = list.get(0);
                assertThat(em.get("emitterId").asLong()).isEqualTo(2_000);
                assertThat(em.get("name").asText()).isEqualTo("e2000");
                assertThat(em.get("address").asText()).contains("127.0.0.1");
                assertThat(em.get("packetsPerSecond").asDouble()).as("packets/s over the last second").isPositive();
                assertThat(em.get("window").asInt()).isPositive();
                assertThat(em.get("windowInUse").asInt()).isBetween(0, em.get("window").asInt());
                assertThat(em.get("packetsIn").asLong()).isPositive();
            });
        } finally {
            e.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> AdminCluster.json(c.get("/api/emitters")).isEmpty());
    }

    @Test
    @Order(3)
    void shouldBeHealthyAndReady() {
        HttpResponse<String> health = c.get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(AdminCluster.json(health).get("status").asText()).isEqualTo("ok");
        HttpResponse<String> ready = c.get("/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(AdminCluster.json(ready).get("analyzersUp").toString()).contains("a1", "a2");
        assertThat(ready.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    @Order(4)
    void shouldRefuseBadInputWithA400AndChangeNothing() {
        String before = configurationSeen();
        String addr = "127.0.0.1:" + c.analyzers.get("a1").port();
        List<String> badAdds = List.of(
            "",
            "not json",
            "[1, 2]",
            "{\"address\": \"" + addr + "\", \"weight\": 1}",
            "{\"name\": \"x\", \"weight\": 1}",
            "{\"name\": \"x\", \"address\": \"nowhere\", \"weight\": 1}",
            "{\"name\": \"x\", \"address\": \"" + addr + "\"}",
            "{\"name\": \"x\", \"address\": \"" + addr + "\", \"weight\": 0}",
            "{\"name\": \"x\", \"address\": \"" + addr + "\", \"weight\": -2}",
            "{\"name\": \"x\", \"address\": \"" + addr + "\", \"weight\": \"heavy\"}",
            "{\"name\": \"\", \"address\": \"" + addr + "\", \"weight\": 1}",
            "{\"name\": 7, \"address\": \"" + addr + "\", \"weight\": 1}",
            "{\"name\": \"a\\r\\nb\", \"address\": \"" + addr + "\", \"weight\": 1}",
            "{\"name\": \"a/b\", \"address\": \"" + addr + "\", \"weight\": 1}",
            "{\"name\": \"x\", \"address\": \"" + addr + "\", \"weight\": 1, \"wieght\": 2}",
            "{\"name\": \"x\", \"address\": \"127.0.0.1:0\", \"weight\": 1}",
            "{\"name\": \"x\", \"address\": \"" + addr + "\", \"weight\": 1e-310}");
        for (String body : badAdds) {
            assertError(c.send("POST", "/api/analyzers", body), 400, "bad request");
        }
        for (String body : List.of("", "{}", "{\"weight\": 0}", "{\"weight\": -1}", "{\"weight\": 1e-310}", "{\"weight\": 1e300}", "{\"weight\": \"x\"}", "{\"weight\": 1, \"name\": \"a9\"}", "[0.5]",
                "{\"weight\": 2} {\"weight\": 3}", "{\"weight\": 2} junk")) {
            assertError(c.send("PUT", "/api/analyzers/a1", body), 400, "bad request");
        }
        assertThat(AdminCluster.json(c.send("PUT", "/api/analyzers/a1", "{\"weight\": 0}")).get("detail").asText())
            .isEqualTo("weight=0 must be a positive number from 0.000001 to 1000000");
        assertThat(AdminCluster.json(c.send("POST", "/api/analyzers", "{\"name\": \"x\", \"address\": \"" + addr + "\", \"weight\": -2.5}"))
            .get("detail").asText()).isEqualTo("weight=-2.5 must be a positive number from 0.000001 to 1000000");
        assertThat(configurationSeen()).isEqualTo(before);
    }

    @Test
    @Order(5)
    void shouldAnswer404ForAnUnknownAnalyzerAndChangeNothing() {
        String before = configurationSeen();
        assertError(c.get("/api/analyzers/nope"), 404, "unknown analyzer");
        assertError(c.send("PUT", "/api/analyzers/nope", "{\"weight\": 1}"), 404, "unknown analyzer");
        assertError(c.send("POST", "/api/analyzers/nope/drain", null), 404, "unknown analyzer");
        assertError(c.send("DELETE", "/api/analyzers/nope", null), 404, "unknown analyzer");
        assertThat(configurationSeen()).isEqualTo(before);
    }

    @Test
    @Order(6)
    void shouldReweightAnAnalyzerInPlace() {
        HttpResponse<String> r = c.send("PUT", "/api/analyzers/a2", "{\"weight\": 2.5}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(AdminCluster.json(r).get("weight").asDouble()).isEqualTo(2.5);
        JsonNode a2 = c.analyzersByName().get("a2");
        assertThat(a2.get("weight").asDouble()).isEqualTo(2.5);
        assertThat(a2.get("weightShare").asDouble()).isCloseTo(2.5 / 5.5, within(1e-9));
        assertThat(a2.get("connects").asLong()).as("reweighting keeps the connections").isEqualTo(AdminCluster.LOOPS);
        assertThat(c.send("PUT", "/api/analyzers/a2", "{\"weight\": 1}").statusCode()).isEqualTo(200);
    }

    @Test
    @Order(7)
    void shouldAddAnAnalyzerThenRefuseItsNameAgainThenRemoveIt() throws Exception {
        String addr = c.startAnalyzer("a3").toString();
        HttpResponse<String> r = c.send("POST", "/api/analyzers", "{\"name\": \"a3\", \"address\": \"" + addr + "\", \"weight\": 0.5}");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location")).hasValue("/api/analyzers/a3");
        assertThat(AdminCluster.json(r).get("name").asText()).isEqualTo("a3");
        await().atMost(Duration.ofSeconds(10)).until(() -> "up".equals(stateOf("a3")));
        assertThat(c.analyzersByName().keySet()).containsExactly("a1", "a2", "a3");

        String before = configurationSeen();
        assertError(c.send("POST", "/api/analyzers", "{\"name\": \"a3\", \"address\": \"" + addr + "\", \"weight\": 1}"), 409, "name taken");
        assertError(c.send("POST", "/api/analyzers", "{\"name\": \"a1\", \"address\": \"" + addr + "\", \"weight\": 1}"), 409, "name taken");
        assertThat(configurationSeen()).isEqualTo(before);

        HttpResponse<String> d = c.send("DELETE", "/api/analyzers/a3", null);
        assertThat(d.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> !c.analyzersByName().containsKey("a3"));
        assertError(c.get("/api/analyzers/a3"), 404, "unknown analyzer");
    }

    @Test
    @Order(8)
    void shouldDrainAnAnalyzerSoThatItTakesNoNewPackets() throws Exception {
        String addr = c.startAnalyzer("a4").toString();
        assertThat(c.send("POST", "/api/analyzers", "{\"name\": \"a4\", \"address\": \"" + addr + "\", \"weight\": 5}").statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> "up".equals(stateOf("a4")));
        HttpResponse<String> r = c.send("POST", "/api/analyzers/a4/drain", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(AdminCluster.json(r).get("state").asText()).isEqualTo("draining");
        assertThat(stateOf("a4")).isEqualTo("draining");
        try (Emitter e = Emitter.start(c.emitter(3_000).withMaxPackets(300).withDuration(Duration.ZERO))) {
            assertThat(e.completion().get(30, TimeUnit.SECONDS).packetsAcked()).isEqualTo(300);
        }
        assertThat(c.messagesReceivedBy("a4")).as("a drained analyzer takes no new packets").isZero();
        assertThat(c.send("DELETE", "/api/analyzers/a4", null).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> !c.analyzersByName().containsKey("a4"));
    }

    @Test
    @Order(9)
    void shouldAnswer404And405ForOtherPathsAndMethods() {
        assertError(c.get("/nope"), 404, "not found");
        assertError(c.get("/api/nope"), 404, "not found");
        assertError(c.get("/api/analyzers/a1/nope"), 404, "not found");
        HttpResponse<String> r = c.send("DELETE", "/api/analyzers", null);
        assertError(r, 405, "method not allowed");
        assertThat(r.headers().firstValue("Allow")).hasValue("GET, POST");
        assertError(c.send("POST", "/health", "{}"), 405, "method not allowed");
        assertError(c.send("GET", "/api/analyzers/a1/drain", null), 405, "method not allowed");
        assertError(c.send("PATCH", "/api/analyzers/a1", "{}"), 405, "method not allowed");
    }

    @Test
    @Order(10)
    void shouldServeTheDashboardAndTheRates() {
        HttpResponse<String> page = c.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body()).contains("id=\"analyzers\"", "/api/analyzers")
            .as("nothing is fetched from elsewhere").doesNotContainPattern("(src|href)=\"(https?:)?//").doesNotContainPattern("fetch\\(\"(https?:)?//");
        JsonNode rates = AdminCluster.json(c.get("/api/rates"));
        assertThat(rates.get("in")).hasSize(TrafficHistory.SECONDS);
        assertThat(rates.get("out")).hasSize(TrafficHistory.SECONDS);
        assertThat(rates.get("analyzers").get("a1")).hasSize(TrafficHistory.SECONDS);
        double inTotal = 0;
        for (JsonNode v : rates.get("in")) {
            inTotal += v.asDouble();
        }
        assertThat(inTotal).as("the earlier tests' traffic is in the last minute").isPositive();
    }

    private long sumDelivered() {
        long n = 0;
        for (JsonNode a : c.analyzersByName().values()) {
            n += a.get("messagesDelivered").asLong();
        }
        return n;
    }

    private String stateOf(String name) {
        JsonNode a = c.analyzersByName().get(name);
        return a == null ? null : a.get("state").asText();
    }

    /** What a refused request must not change: names, addresses, weights and states. */
    private String configurationSeen() {
        List<String> out = new ArrayList<>();
        for (JsonNode a : c.analyzersByName().values()) {
            out.add(a.get("name").asText() + "=" + a.get("address").asText() + "@" + a.get("weight").asDouble() + " " + a.get("state").asText());
        }
        return String.join(", ", out);
    }

    private static void assertError(HttpResponse<String> r, int status, String error) {
        assertThat(r.statusCode()).as("%s %s: %s", r.request().method(), r.request().uri(), r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = AdminCluster.json(r);
        assertThat(body.get("error").asText()).isEqualTo(error);
        assertThat(body.get("detail").asText()).isNotBlank();
        assertThat(r.body()).doesNotContain("Exception", "\tat ");
    }
}
