package io.logdist.distributor.admin;

import io.logdist.distributor.testing.LogCapture;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Each change made through the admin API is logged once, naming the client that asked. */
class AnalyzerChangeLogTest {
    @Test
    void shouldLogEachChangeOnceWithTheClientAddress() throws Exception {
        try (AdminCluster c = new AdminCluster(1); LogCapture log = LogCapture.open()) {
            String addr = c.startAnalyzer("a2").toString();
            assertThat(c.send("POST", "/api/analyzers", "{\"name\": \"a2\", \"address\": \"" + addr + "\", \"weight\": 0.5}").statusCode())
                .isEqualTo(201);
            assertThat(c.send("PUT", "/api/analyzers/a2", "{\"weight\": 2}").statusCode()).isEqualTo(200);
            assertThat(c.send("POST", "/api/analyzers/a2/drain", null).statusCode()).isEqualTo(200);
            assertThat(c.send("DELETE", "/api/analyzers/a2", null).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> !c.analyzersByName().containsKey("a2"));
            await().atMost(Duration.ofSeconds(5)).until(() -> !log.containing("a2 removed").isEmpty());

            String client = "admin API request from /127.0.0.1:";
            assertThat(log.containing("a2", "added")).singleElement().asString().contains("at " + addr, "weight 0.5", client);
            assertThat(log.containing("a2", "weight set")).singleElement().asString().contains("to 2.0", client);
            assertThat(log.containing("a2", "drain")).hasSize(2).allSatisfy(m -> assertThat(m).contains(client));
            assertThat(log.containing("a2", "remov")).as("the request and the end").hasSize(2);
        }
    }
}
