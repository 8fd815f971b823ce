package io.logdist.distributor.resilience;

import io.logdist.analyzer.AnalyzerConfig;
import io.logdist.analyzer.AnalyzerServer;
import io.logdist.analyzer.AnalyzerSnapshot;
import io.logdist.distributor.Distributor;
import io.logdist.distributor.admin.AnalyzerView;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.config.ConfigFile;
import io.logdist.distributor.config.ConfigReloader;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.distributor.config.OverflowPolicy;
import io.logdist.distributor.testing.Loss;
import io.logdist.emitter.Emitter;
import io.logdist.emitter.EmitterConfig;
import io.logdist.emitter.EmitterReport;
import io.logdist.emitter.PrioritySpec;
import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Failure detection, circuit breaking, no-analyzer handling and overflow policies, end to end. */
class ResilienceTest {

    private static HostPort local(int port) {
        return new HostPort("127.0.0.1", port);
    }

    private static DistributorConfig.Builder config(AnalyzerSpec... analyzers) {
        return DistributorConfig.builder().listen(local(0)).analyzers(List.of(analyzers)).threads(2)
            .reconnectBase(Duration.ofMillis(10)).reconnectMax(Duration.ofMillis(200)).slowStart(Duration.ZERO);
    }

    private static EmitterConfig emitter(Distributor d, long id, long rate, Duration duration, long maxPackets, String priority) {
        return EmitterConfig.defaults(local(d.emitterAddress().getPort())).withEmitterIdBase(id).withRatePerSecond(rate)
            .withDuration(duration).withMaxPackets(maxPackets).withMessagesPerPacket(8).withMessageBytes(100)
            .withPriority(PrioritySpec.parse(priority)).withQuiet(true).withDrainTimeout(Duration.ofSeconds(30));
    }

    private static AnalyzerView view(Distributor d, String name) {
        return d.analyzers().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
    }

    /** Acked (emitterId/sequence) pairs of the report that are in none of the given received sets. */
    private static Set<String> lost(EmitterReport r, List<Set<String>> received) {
        Set<String> all = new HashSet<>();
        received.forEach(all::addAll);
        return Loss.lost(List.of(r), all);
    }

    private static Set<String> receivedBy(AnalyzerServer a) {
        return Loss.receivedBy(List.of(a));
    }

    @Test
    void shouldDetectAStalledAnalyzerWithinTheLinkTimeoutAndLoseNothing() throws Exception {
        try (AnalyzerServer good = AnalyzerServer.start(AnalyzerConfig.defaults("good", local(0)));
             ControllableAnalyzer staller = new ControllableAnalyzer();
             Distributor d = Distributor.start(config(new AnalyzerSpec("good", local(good.port()), 1),
                 new AnalyzerSpec("staller", local(staller.port()), 1)).linkTimeout(Duration.ofMillis(500)).build())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.links().stream().allMatch(Distributor.LinkStatus::allConnectionsUp));
            Emitter e = Emitter.start(emitter(d, 100, 20_000, Duration.ofSeconds(3), 0, "fixed:0"));
            await().atMost(Duration.ofSeconds(10)).until(() -> staller.received.size() > 100);
            staller.stalled = true;
            long t0 = System.nanoTime();
            // Detection shows as the stalled link's packets being rerouted (it may reconnect at once after).
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> d.reroutes() > 0);
            long detectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(detectedMs).as("detected within the 500 ms link timeout plus a margin").isLessThan(1_500);
            EmitterReport r = e.completion().get(60, TimeUnit.SECONDS);
            e.close();
            assertThat(r.packetsAcked()).isGreaterThan(1_000);
            assertThat(lost(r, List.of(receivedBy(good), staller.received))).isEmpty();
            // It answers every reconnect and stalls again: three stalls in a row eject it.
            await().atMost(Duration.ofSeconds(10)).until(() -> !view(d, "staller").circuit().equals("closed"));
        }
    }

    @Test
    void shouldRerouteWhatOneDroppedConnectionHeldWhileTheAnalyzersOtherConnectionGoesOn() throws Exception {
        try (AnalyzerServer good = AnalyzerServer.start(AnalyzerConfig.defaults("good", local(0)));
             ControllableAnalyzer half = new ControllableAnalyzer();
             Distributor d = Distributor.start(config(new AnalyzerSpec("good", local(good.port()), 1),
                 new AnalyzerSpec("half", local(half.port()), 1)).build())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.links().stream().allMatch(Distributor.LinkStatus::allConnectionsUp));
            assertThat(view(d, "half").connections()).isEqualTo(2);
            // Two emitter connections: accepted connections go to the loops in turn, so each of half's carries traffic.
            Emitter e = Emitter.start(emitter(d, 400, 20_000, Duration.ofSeconds(3), 0, "fixed:0").withConnections(2));
            await().atMost(Duration.ofSeconds(10)).until(() -> half.received.size() > 200);
            half.dropOneConnection();
            // The dropped connection comes back on its own; the analyzer never left routing on the other loop.
            await().atMost(Duration.ofSeconds(10)).until(() -> view(d, "half").connects() == 3 && view(d, "half").connectionsUp() == 2);
            EmitterReport r = e.completion().get(60, TimeUnit.SECONDS);
            e.close();
            assertThat(r.packetsAcked()).isEqualTo(r.packetsSent());
            assertThat(lost(r, List.of(receivedBy(good), half.received))).isEmpty();
            assertThat(view(d, "half").state()).isEqualTo("up");
        }
    }

    @Test
    void shouldCountARemovedAnalyzersReroutesOnceWhenItsRemovalIsAskedTwice() throws Exception {
        // A long link timeout and a small window: the stalled analyzer keeps a few DELIVERs unacknowledged for
        // as long as the test likes, and its removal waits for them.
        try (AnalyzerServer good = AnalyzerServer.start(AnalyzerConfig.defaults("good", local(0)));
             ControllableAnalyzer staller = new ControllableAnalyzer();
             Distributor d = Distributor.start(config(new AnalyzerSpec("good", local(good.port()), 1),
                 new AnalyzerSpec("staller", local(staller.port()), 1)).linkTimeout(Duration.ofSeconds(30)).linkWindow(64).build())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.links().stream().allMatch(Distributor.LinkStatus::allConnectionsUp));
            staller.refuseAll = true; // its NACKs make reroutes
            Emitter e = Emitter.start(emitter(d, 300, 20_000, Duration.ofSeconds(5), 0, "fixed:0"));
            await().atMost(Duration.ofSeconds(10)).until(() -> view(d, "staller").reroutes() > 0);
            staller.refuseAll = false;
            int before = staller.received.size();
            // More than a window accepted since: the NACKs sent before them have been handled.
            await().atMost(Duration.ofSeconds(10)).until(() -> staller.received.size() > before + 100);
            staller.stalled = true;
            await().atMost(Duration.ofSeconds(10)).until(() -> view(d, "staller").unacked() > 0);
            long reroutes = d.reroutes(); // nothing reroutes from now on

            CompletableFuture<Void> first = d.removeAnalyzer("staller", "test");
            CompletableFuture<Void> second = d.removeAnalyzer("staller", "test, again");
            staller.stalled = false; // it ACKs what it holds, and the removal completes
            CompletableFuture.allOf(first, second).get(10, TimeUnit.SECONDS);
            EmitterReport r = e.completion().get(60, TimeUnit.SECONDS);
            e.close();

            assertThat(r.packetsAcked()).isEqualTo(r.packetsSent());
            assertThat(d.analyzers()).extracting(AnalyzerView::name).containsExactly("good");
            assertThat(d.reroutes()).as("the removed analyzer's reroutes, counted once").isEqualTo(reroutes);
        }
    }

    @Test
    void shouldKeepAnAnalyzerThatTheFileListsAgainWhileItsRemovalDrains(@TempDir Path dir) throws Exception {
        // A reload drops the analyzer; while it drains what it holds, the file lists it again.
        // That reload finds it still there and changes nothing: once it is gone, it comes back.
        try (AnalyzerServer good = AnalyzerServer.start(AnalyzerConfig.defaults("good", local(0)));
             ControllableAnalyzer staller = new ControllableAnalyzer()) {
            Path file = dir.resolve("d.yaml");
            String both = """
                listen: 127.0.0.1:0
                threads: 2
                slowStart: 0
                linkTimeout: 30s
                analyzers:
                  - { name: good, address: 127.0.0.1:%d, weight: 1 }
                  - { name: staller, address: 127.0.0.1:%d, weight: 1 }
                """.formatted(good.port(), staller.port());
            Files.writeString(file, both);
            try (Distributor d = Distributor.start(ConfigFile.toConfig(ConfigFile.read(file), file));
                 ConfigReloader reloader = new ConfigReloader(d, file, () -> ConfigFile.toConfig(ConfigFile.read(file), file),
                     true, Duration.ofMillis(50), null)) {
                reloader.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> d.links().stream().allMatch(Distributor.LinkStatus::allConnectionsUp));
                staller.stalled = true;
                Emitter e = Emitter.start(emitter(d, 500, 20_000, Duration.ofSeconds(2), 0, "fixed:0"));
                await().atMost(Duration.ofSeconds(10)).until(() -> view(d, "staller").unacked() > 0);

                Files.writeString(file, both.substring(0, both.indexOf("  - { name: staller")));
                await().atMost(Duration.ofSeconds(10)).until(() -> view(d, "staller").state().equals("draining"));
                Files.writeString(file, both);
                await().atMost(Duration.ofSeconds(10)).until(() -> reloader.applied() == 2);
                staller.stalled = false; // it ACKs what it holds, and the removal completes

                await().atMost(Duration.ofSeconds(15)).until(() -> d.analyzers().stream()
                    .anyMatch(v -> v.name().equals("staller") && v.state().equals("up")));
                EmitterReport r = e.completion().get(60, TimeUnit.SECONDS);
                e.close();
                assertThat(r.packetsAcked()).isEqualTo(r.packetsSent());
            }
        }
    }

    @Test
    void shouldEjectAFlappingAnalyzerForGrowingTimes() throws Exception {
        try (AnalyzerServer good = AnalyzerServer.start(AnalyzerConfig.defaults("good", local(0)));
             ControllableAnalyzer flapper = new ControllableAnalyzer()) {
            flapper.flap = true;
            // One event loop, so one link to each analyzer: the breaker is per link, and the gaps below are one link's.
            try (Distributor d = Distributor.start(config(new AnalyzerSpec("good", local(good.port()), 1),
                new AnalyzerSpec("flapper", local(flapper.port()), 1)).threads(1).build())) {
                // Three quick failures eject it for 1 s; each failed trial doubles that: 2 s, then 4 s.
                await().atMost(Duration.ofSeconds(15)).until(() -> flapper.connections.size() >= 5);
                assertThat(view(d, "flapper").circuit()).isIn("open", "half-open");
                List<Long> at = flapper.connections;
                long gap1 = at.get(3) - at.get(2);
                long gap2 = at.get(4) - at.get(3);
                assertThat(TimeUnit.NANOSECONDS.toMillis(gap1)).isBetween(900L, 1_900L);
                assertThat(TimeUnit.NANOSECONDS.toMillis(gap2)).isBetween(1_900L, 3_500L);
                assertThat(view(d, "good").state()).isEqualTo("up");
            }
        }
    }

    @Test
    void shouldNackNoAnalyzersWhenAllAreDownThenRecoverWithNothingLost() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (Distributor d = Distributor.start(config(new AnalyzerSpec("only", local(port), 1)).parkedBytesLimit(32 * 1024).build())) {
            Emitter e = Emitter.start(emitter(d, 200, 0, Duration.ZERO, 2_000, "fixed:0"));
            await().atMost(Duration.ofSeconds(10)).until(() -> d.nacks(ErrorCode.NO_ANALYZERS) > 0);
            assertThat(e.snapshot().packetsAcked()).isZero();
            try (AnalyzerServer a = AnalyzerServer.start(AnalyzerConfig.defaults("only", local(port)))) {
                EmitterReport r = e.completion().get(60, TimeUnit.SECONDS);
                e.close();
                assertThat(r.packetsNacked()).isGreaterThan(0);
                assertThat(r.messagesAcked()).isEqualTo(2_000L * 8);
                assertThat(lost(r, List.of(receivedBy(a)))).isEmpty();
            }
        }
    }

    private record OverflowRun(Distributor distributor, EmitterReport report) {
    }

    /** Runs an emitter against one stalled analyzer with a tiny queue under {@code policy}, then unstalls it. */
    private static void withFullQueue(OverflowPolicy policy, String priority, java.util.function.Consumer<OverflowRun> check) throws Exception {
        try (ControllableAnalyzer slow = new ControllableAnalyzer();
             Distributor d = Distributor.start(config(new AnalyzerSpec("slow", local(slow.port()), 1))
                 .linkTimeout(Duration.ofSeconds(60)).linkWindow(8).queueBytes(16 * 1024).overflow(policy).build())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.links().get(0).allConnectionsUp());
            slow.stalled = true;
            Emitter e = Emitter.start(emitter(d, 300, 0, Duration.ZERO, 400, priority));
            // The queue fills while the analyzer reads nothing; the policy acts; then the analyzer catches up.
            await().atMost(Duration.ofSeconds(10)).until(() -> d.ingestStats().pauses.sum() > 0 || d.nacks(ErrorCode.OVERLOADED) >= 5);
            slow.stalled = false;
            EmitterReport r = e.completion().get(60, TimeUnit.SECONDS);
            e.close();
            assertThat(r.messagesAcked()).isEqualTo(400L * 8);
            assertThat(lost(r, List.of(slow.received))).isEmpty();
            check.accept(new OverflowRun(d, r));
        }
    }

    @Test
    void shouldSlowTheEmitterWithoutNacksUnderBlock() throws Exception {
        withFullQueue(OverflowPolicy.BLOCK, "fixed:0", run -> {
            assertThat(run.distributor().ingestStats().pauses.sum()).isGreaterThan(0);
            assertThat(run.distributor().nacks(ErrorCode.OVERLOADED)).isZero();
            assertThat(run.report().packetsNacked()).isZero();
        });
    }

    @Test
    void shouldNackOverloadedUnderReject() throws Exception {
        withFullQueue(OverflowPolicy.parse("reject"), "fixed:0", run -> {
            assertThat(run.distributor().nacks(ErrorCode.OVERLOADED)).isGreaterThan(0);
            assertThat(run.report().packetsNacked()).isGreaterThan(0);
            assertThat(run.distributor().ingestStats().pauses.sum()).isZero();
        });
    }

    @Test
    void shouldShedOnlyPrioritiesAboveTheLimit() throws Exception {
        withFullQueue(OverflowPolicy.parse("shed:100"), "random", run -> {
            assertThat(run.distributor().ingestStats().shed.sum()).isGreaterThan(0);
            assertThat(run.distributor().nacks(ErrorCode.OVERLOADED)).isEqualTo(run.distributor().ingestStats().shed.sum());
        });
    }

    @Test
    void shouldKeepPriority255MovingUnderAFloodOfPriority0() throws Exception {
        try (ControllableAnalyzer a = new ControllableAnalyzer();
             // One DELIVER at a time, each taking 1 ms: the analyzer is the bottleneck, so the priority queues fill.
             Distributor d = Distributor.start(config(new AnalyzerSpec("a", local(a.port()), 1)).linkWindow(1).build())) {
            a.perDeliverNanos = 1_000_000;
            await().atMost(Duration.ofSeconds(10)).until(() -> d.links().get(0).allConnectionsUp());
            Emitter flood = Emitter.start(emitter(d, 400, 0, Duration.ZERO, 200_000, "fixed:0").withWindow(1024));
            await().atMost(Duration.ofSeconds(10)).until(() -> d.analyzers().get(0).queuedPackets() > 200);
            Emitter low = Emitter.start(emitter(d, 500, 0, Duration.ZERO, 30, "fixed:255"));
            EmitterReport lowReport = low.completion().get(60, TimeUnit.SECONDS);
            low.close();
            assertThat(lowReport.packetsAcked()).isEqualTo(30);
            assertThat(flood.completion()).as("the flood was still going when priority 255 got through").isNotDone();
            assertThat(d.analyzers().get(0).queuedPackets()).isGreaterThan(0);
            flood.close();
        }
    }
}
