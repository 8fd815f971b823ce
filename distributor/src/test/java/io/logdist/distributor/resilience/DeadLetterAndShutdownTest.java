package io.logdist.distributor.resilience;

import io.logdist.distributor.Distributor;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.emitter.Emitter;
import io.logdist.emitter.EmitterConfig;
import io.logdist.emitter.EmitterReport;
import io.logdist.emitter.PrioritySpec;
import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.deadletter.DeadLetterReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Packets that cannot be delivered go to the dead-letter file (and only then are ACKed). */
class DeadLetterAndShutdownTest {
    @TempDir
    Path dir;

    private static HostPort local(int port) {
        return new HostPort("127.0.0.1", port);
    }

    private DistributorConfig.Builder config(ControllableAnalyzer a) {
        return DistributorConfig.builder().listen(local(0)).analyzers(List.of(new AnalyzerSpec("a", local(a.port()), 1))).threads(2)
            .reconnectBase(Duration.ofMillis(10)).reconnectMax(Duration.ofMillis(100)).slowStart(Duration.ZERO).deadLetterDir(dir);
    }

    private static EmitterConfig emitter(Distributor d, long packets) {
        return EmitterConfig.defaults(local(d.emitterAddress().getPort())).withEmitterIdBase(900).withRatePerSecond(0)
            .withDuration(Duration.ZERO).withMaxPackets(packets).withMessagesPerPacket(4).withMessageBytes(50)
            .withPriority(PrioritySpec.parse("fixed:7")).withQuiet(true).withDrainTimeout(Duration.ofSeconds(30));
    }

    private static int deadLettersIn(Path file) throws Exception {
        AtomicInteger n = new AtomicInteger();
        DeadLetterReader.read(file, (packet, at, reroutes, reason) -> n.incrementAndGet());
        return n.get();
    }

    @Test
    void shouldDeadLetterAPacketReroutedMoreThanMaxRetriesAndThenAckIt() throws Exception {
        try (ControllableAnalyzer refuser = new ControllableAnalyzer()) {
            refuser.refuseAll = true;
            try (Distributor d = Distributor.start(config(refuser).maxRetries(2).build())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> d.links().get(0).allConnectionsUp());
                Emitter e = Emitter.start(emitter(d, 20));
                EmitterReport r = e.completion().get(30, TimeUnit.SECONDS);
                e.close();
                assertThat(r.packetsAcked()).isEqualTo(20);
                assertThat(d.deadLetters()).isEqualTo(20);
                assertThat(d.reroutes()).isEqualTo(20 * 3);
                Path file = java.nio.file.Files.list(dir).findFirst().orElseThrow();
                assertThat(deadLettersIn(file)).isEqualTo(20);
            }
        }
    }

    @Test
    void shouldDeadLetterWhatIsStillHeldWhenTheDrainTimeoutEnds() throws Exception {
        try (ControllableAnalyzer staller = new ControllableAnalyzer()) {
            Distributor d = Distributor.start(config(staller).linkTimeout(Duration.ofSeconds(60)).linkWindow(4).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> d.links().get(0).allConnectionsUp());
            staller.stalled = true;
            Emitter e = Emitter.start(emitter(d, 50).withDrainTimeout(Duration.ofSeconds(5)));
            await().atMost(Duration.ofSeconds(10)).until(() -> d.ingestStats().packetsIn.sum() == 50);
            Distributor.ShutdownReport report = d.shutdownGracefully(Duration.ofMillis(300));
            // The staller may have taken one DELIVER before it stopped reading; the rest were held.
            assertThat(report.deadLettered()).isGreaterThanOrEqualTo(45).isEqualTo(50 - staller.received.size());
            assertThat(report.undelivered()).isZero();
            assertThat(deadLettersIn(report.deadLetterFile())).isEqualTo((int) report.deadLettered());
            EmitterReport r = e.completion().get(30, TimeUnit.SECONDS);
            e.close();
            assertThat(r.packetsAcked()).as("dead-lettered packets are safe, so ACKed").isEqualTo(50);
        }
    }

    @Test
    void shouldDeliverEverythingHeldBeforeStoppingWhenTheAnalyzerKeepsUp() throws Exception {
        try (ControllableAnalyzer a = new ControllableAnalyzer()) {
            Distributor d = Distributor.start(config(a).build());
            await().atMost(Duration.ofSeconds(10)).until(() -> d.links().get(0).allConnectionsUp());
            a.perDeliverNanos = 1_000_000; // ~200 ms to take them all: shutdown starts with most still held
            Emitter e = Emitter.start(emitter(d, 200));
            await().atMost(Duration.ofSeconds(10)).until(() -> d.ingestStats().packetsIn.sum() == 200);
            assertThat(a.received).as("still held when the shutdown starts").hasSizeLessThan(200);
            Distributor.ShutdownReport report = d.shutdownGracefully(Duration.ofSeconds(5));
            assertThat(e.completion().get(30, TimeUnit.SECONDS).packetsAcked()).isEqualTo(200);
            e.close();
            assertThat(report.undelivered()).isZero();
            assertThat(report.deadLettered()).isZero();
            assertThat(report.deadLetterFile()).isNull();
            assertThat(a.received).hasSize(200);
        }
    }
}
