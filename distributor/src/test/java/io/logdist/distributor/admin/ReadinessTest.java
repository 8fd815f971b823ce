package io.logdist.distributor.admin;

import io.logdist.analyzer.AnalyzerConfig;
import io.logdist.analyzer.AnalyzerServer;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.protocol.cli.HostPort;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /ready} is 503 with the reason while no analyzer is up, and 200 once one is. */
class ReadinessTest {

    @Test
    void shouldNotBeReadyUntilAnAnalyzerIsUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        HostPort late = new HostPort("127.0.0.1", port);
        try (AdminCluster c = new AdminCluster(b -> b.analyzers(List.of(new AnalyzerSpec("late", late, 1))))) {
            HttpResponse<String> r = c.get("/ready");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(AdminCluster.json(r).get("error").asText()).isEqualTo("not ready");
            assertThat(AdminCluster.json(r).get("detail").asText()).contains("no analyzer link is up", "late");
            assertThat(c.get("/health").statusCode()).as("alive all the same").isEqualTo(200);

            try (AnalyzerServer a = AnalyzerServer.start(AnalyzerConfig.defaults("late", late).withQuiet(true))) {
                assertThat(a.port()).isEqualTo(port);
                await().atMost(Duration.ofSeconds(30)).until(() -> c.get("/ready").statusCode() == 200);
                assertThat(AdminCluster.json(c.get("/ready")).get("analyzersUp").get(0).asText()).isEqualTo("late");
            }
        }
    }
}
