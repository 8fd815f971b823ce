package io.logdist.distributor.e2e;

import io.logdist.analyzer.AnalyzerConfig;
import io.logdist.analyzer.AnalyzerServer;
import io.logdist.distributor.Distributor;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.emitter.Emitter;
import io.logdist.emitter.EmitterConfig;
import io.logdist.emitter.EmitterReport;
import io.logdist.emitter.PrioritySpec;
import io.logdist.protocol.cli.HostPort;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** With no analyzer up, packets wait (nothing ACKed) and go out once one comes up. */
class NoAnalyzerUpTest {

    @Test
    void shouldHoldPacketsUntilAnAnalyzerComesUpThenDeliverThemAll() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        DistributorConfig config = DistributorConfig.of(new HostPort("127.0.0.1", 0),
            List.of(new AnalyzerSpec("late", new HostPort("127.0.0.1", port), 1))).withThreads(2);
        config = config.toBuilder().name("test").reconnectBase(Duration.ofMillis(20)).reconnectMax(Duration.ofMillis(200)).build();
        try (Distributor d = Distributor.start(config)) {
            EmitterConfig e = EmitterConfig.defaults(new HostPort("127.0.0.1", d.emitterAddress().getPort()));
            e = new EmitterConfig(e.distributor(), 0, Duration.ZERO, 8, 32, 1, PrioritySpec.parse("fixed:3"), null, 64, 77, "e", Duration.ofSeconds(30),
                null, 500, true);
            Emitter emitter = Emitter.start(e);
            await().atMost(Duration.ofSeconds(10)).until(() -> emitter.snapshot().packetsSent() == 64);
            assertThat(emitter.snapshot().packetsAcked()).isZero();
            assertThat(d.links().get(0).up()).isFalse();

            try (AnalyzerServer a = AnalyzerServer.start(AnalyzerConfig.defaults("late", new HostPort("127.0.0.1", port)))) {
                EmitterReport r = emitter.completion().get(30, TimeUnit.SECONDS);
                emitter.close();
                assertThat(r.packetsAcked()).isEqualTo(500);
                assertThat(a.snapshot().packets()).isEqualTo(500);
                assertThat(a.snapshot().duplicates()).isZero();
            }
        }
    }
}
