package io.logdist.distributor.config;

import io.logdist.analyzer.AnalyzerConfig;
import io.logdist.analyzer.AnalyzerServer;
import io.logdist.distributor.Distributor;
import io.logdist.distributor.admin.AnalyzerView;
import io.logdist.distributor.testing.LogCapture;
import io.logdist.protocol.cli.HostPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** The configuration file reloaded into a running distributor: on change, on SIGHUP, and refused when invalid. */
class ConfigReloaderTest {
    @TempDir
    Path dir;

    private final List<AnalyzerServer> analyzers = new ArrayList<>();
    private Path file;
    private Distributor distributor;
    private ConfigReloader reloader;

    @BeforeEach
    void start() throws Exception {
        for (String name : List.of("a1", "a2", "a3")) {
            analyzers.add(AnalyzerServer.start(AnalyzerConfig.defaults(name, new HostPort("127.0.0.1", 0)).withQuiet(true)));
        }
        file = dir.resolve("distributor.yaml");
        write(Map.of("a1", 1.0, "a2", 1.0), "");
        distributor = Distributor.start(load(file));
        await().atMost(Duration.ofSeconds(15)).until(() -> distributor.links().stream().allMatch(Distributor.LinkStatus::allConnectionsUp));
    }

    @AfterEach
    void stop() {
        if (reloader != null) {
            reloader.close();
        }
        if (distributor != null) {
            distributor.close();
        }
        analyzers.forEach(AnalyzerServer::close);
    }

    private static DistributorConfig load(Path p) {
        return ConfigFile.toConfig(ConfigFile.read(p), p);
    }

    private ConfigReloader reloader(Duration poll) {
        reloader = new ConfigReloader(distributor, file, () -> load(file), true, poll, null);
        reloader.start();
        return reloader;
    }

    /** Writes the file with these analyzers (a1..a3 at their servers' ports) and extra lines. */
    private void write(Map<String, Double> weights, String extra) throws Exception {
        StringBuilder sb = new StringBuilder("""
            listen: 127.0.0.1:0
            threads: 2
            slowStart: 0
            reconnectBase: 20ms
            reconnectMax: 500ms
            analyzers:
            """);
        for (Map.Entry<String, Double> e : new TreeMap<>(weights).entrySet()) {
            int port = analyzers.get(Integer.parseInt(e.getKey().substring(1)) - 1).port();
            sb.append("  - { name: ").append(e.getKey()).append(", address: 127.0.0.1:").append(port)
                .append(", weight: ").append(e.getValue()).append(" }\n");
        }
        Files.writeString(file, sb + extra);
    }

    private Map<String, Double> running() {
        Map<String, Double> m = new TreeMap<>();
        for (AnalyzerView v : distributor.analyzers()) {
            m.put(v.name(), v.weight());
        }
        return m;
    }

    @Test
    void shouldMoveAnAnalyzerToItsNewAddress() throws Exception {
        reloader(Duration.ofMillis(50));
        int newPort = analyzers.get(2).port();
        Files.writeString(file, Files.readString(file).replace(":" + analyzers.get(0).port() + ",", ":" + newPort + ","));

        await().atMost(Duration.ofSeconds(15)).until(() -> distributor.analyzers().stream()
            .anyMatch(v -> v.name().equals("a1") && v.address().endsWith(":" + newPort)));
        assertThat(distributor.analyzers()).extracting(AnalyzerView::name).containsExactlyInAnyOrder("a1", "a2");
    }

    @Test
    void shouldApplyAnEditMadeWhileTheDistributorWasStarting() throws Exception {
        // The distributor started from a1 and a2 (read as this stamp); the file changed before the reloader started.
        ConfigReloader.FileStamp readAs = ConfigReloader.FileStamp.of(file);
        write(Map.of("a1", 1.0, "a2", 1.0, "a3", 2.0), "");

        reloader = new ConfigReloader(distributor, file, () -> load(file), true, Duration.ofMillis(50), readAs);
        reloader.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> running().equals(Map.of("a1", 1.0, "a2", 1.0, "a3", 2.0)));
        assertThat(reloader.applied()).isEqualTo(1);
    }

    @Test
    void shouldAddRemoveAndReweightAnalyzersWhenTheFileChanges() throws Exception {
        reloader(Duration.ofMillis(50));
        write(Map.of("a1", 3.0, "a3", 1.0), "");
        await().atMost(Duration.ofSeconds(15)).until(() -> running().equals(Map.of("a1", 3.0, "a3", 1.0)));
        await().atMost(Duration.ofSeconds(15)).until(() -> distributor.links().stream().allMatch(Distributor.LinkStatus::allConnectionsUp));
        assertThat(reloader.applied()).isEqualTo(1);
        assertThat(distributor.links().get(0).connects()).as("a1 was reweighted in place, not reconnected (one connection per event loop)").isEqualTo(2);
        assertThat(reloader.refused()).isZero();
    }

    @Test
    void shouldKeepWatchingAfterAReloadFailsUnexpectedly() throws Exception {
        // A task of a fixed-delay schedule that throws is never run again: the next edit was ignored, silently.
        java.util.concurrent.atomic.AtomicBoolean failOnce = new java.util.concurrent.atomic.AtomicBoolean(true);
        reloader = new ConfigReloader(distributor, file, () -> {
            if (failOnce.getAndSet(false)) {
                throw new IllegalStateException("an event loop did not answer");
            }
            return load(file);
        }, true, Duration.ofMillis(50), null);
        reloader.start();
        write(Map.of("a1", 2.0, "a2", 1.0), "");
        await().atMost(Duration.ofSeconds(10)).until(() -> !failOnce.get());

        write(Map.of("a1", 2.0, "a2", 1.0, "a3", 1.0), "");

        await().atMost(Duration.ofSeconds(15)).until(() -> running().equals(Map.of("a1", 2.0, "a2", 1.0, "a3", 1.0)));
    }

    @Test
    void shouldLogAReloadOnRequestThatFailsUnexpectedly() throws Exception {
        // SIGHUP's handler drops the future a requested reload returns: a failure kept only there is never seen.
        try (LogCapture log = LogCapture.open()) {
            reloader = new ConfigReloader(distributor, file, () -> {
                throw new IllegalStateException("an event loop did not answer");
            }, true, Duration.ofMillis(50), null);
            reloader.requestReload("SIGHUP").get(10, TimeUnit.SECONDS);
            assertThat(log.containing("config: applying")).singleElement().asString()
                .contains("an event loop did not answer", "SIGHUP retries");
        }
    }

    @Test
    void shouldRefuseAnInvalidFileNamingItsLineAndFieldAndKeepRunning() throws Exception {
        reloader(Duration.ofMillis(50));
        Map<String, Double> before = running();
        write(Map.of("a1", 1.0), "  - { name: a9, address: 127.0.0.1:7999, weight: -2 }\n");
        await().atMost(Duration.ofSeconds(15)).until(() -> reloader.refused() == 1);
        assertThat(reloader.lastError()).contains("distributor.yaml:8:", "analyzers[1].weight", "must be a positive number");
        assertThat(running()).isEqualTo(before);

        Files.writeString(file, Files.readString(file).replace("weight: -2", "weight: 2").replace("threads: 2", "thraeds: 2"));
        await().atMost(Duration.ofSeconds(15)).until(() -> reloader.refused() == 2);
        assertThat(reloader.lastError()).contains("distributor.yaml:2:", "thraeds");
        assertThat(running()).isEqualTo(before);
        assertThat(reloader.applied()).isZero();
    }

    @Test
    void shouldReloadOnSighup() throws Exception {
        ConfigReloader r = reloader(Duration.ofHours(1));
        assumeThat(r.reloadOnHangup()).as("this JVM handles SIGHUP").isTrue();
        write(Map.of("a1", 1.0, "a2", 4.0), "");
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
        await().atMost(Duration.ofSeconds(15)).until(() -> r.applied() == 1);
        assertThat(running()).isEqualTo(Map.of("a1", 1.0, "a2", 4.0));
    }

    @Test
    void shouldNameTheSettingsThatTakeEffectOnRestart() {
        DistributorConfig a = distributor.config();
        DistributorConfig b = a.toBuilder().linkWindow(7).name("other").analyzers(List.of()).build();
        assertThat(ConfigReloader.restartOnlyChanges(a, b)).containsExactly("name", "linkWindow");
    }

    @Test
    void shouldLogEachAnalyzerChangeOnceNamingTheReload() throws Exception {
        try (LogCapture log = LogCapture.open()) {
            reloader(Duration.ofMillis(50));
            write(Map.of("a1", 3.0, "a3", 1.0), "");
            await().atMost(Duration.ofSeconds(15)).until(() -> running().equals(Map.of("a1", 3.0, "a3", 1.0)));
            await().atMost(Duration.ofSeconds(5)).until(() -> !log.containing("config: reloaded").isEmpty());

            String reload = "config reload: the file changed";
            assertThat(log.containing("a1", "weight")).singleElement().asString().contains("weight set to 3.0", reload);
            assertThat(log.containing("a3", "added")).singleElement().asString().contains(reload);
            assertThat(log.containing("a2", "remov")).first().asString().contains("draining to be removed", reload);
            assertThat(log.containing("config: reloaded")).singleElement().asString().endsWith(": 3 analyzer changes");
        }
    }
}
