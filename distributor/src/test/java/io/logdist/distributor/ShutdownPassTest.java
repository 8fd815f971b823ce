package io.logdist.distributor;

import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.distributor.testing.LogCapture;
import io.logdist.protocol.cli.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The last pass of a graceful shutdown, when an event loop is too busy to answer in time. */
class ShutdownPassTest {
    @TempDir
    Path dir;

    @Test
    void shouldFinishTheShutdownAndSaySoWhenALoopDoesNotAnswerInTime() throws Exception {
        // The analyzer's port is never listened on: the links stay down, nothing else runs on the loops.
        DistributorConfig config = DistributorConfig.builder().listen(new HostPort("127.0.0.1", 0))
            .analyzers(List.of(new AnalyzerSpec("a", new HostPort("127.0.0.1", 9), 1))).threads(2)
            .reconnectBase(Duration.ofMillis(50)).reconnectMax(Duration.ofMillis(100)).deadLetterDir(dir).build();
        Distributor d = Distributor.start(config);
        d.shutdownPassTimeout = Duration.ofMillis(200);
        CountDownLatch busy = new CountDownLatch(1);
        // Busy past the pass's patience (writing dead letters, say), then free again once the
        // pass has given up on it, so that close() can stop it.
        d.loops().get(0).eventLoop().execute(() -> {
            try {
                busy.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        Distributor.ShutdownReport report;
        try (LogCapture log = LogCapture.open()) {
            CompletableFuture<Distributor.ShutdownReport> shutdown = CompletableFuture.supplyAsync(() -> d.shutdownGracefully(Duration.ZERO));
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.containing("shutdown:", "not ACKed").isEmpty());
            busy.countDown();
            report = shutdown.get(15, TimeUnit.SECONDS);
        }

        assertThat(report.loopsNotAnswering()).as("the busy loop, once").isEqualTo(1);
        assertThat(report.undelivered()).isZero();
        assertThat(report.deadLettered()).isZero();
    }
}
