package io.logdist.distributor;

import io.logdist.distributor.config.DistributorConfig;
import io.logdist.protocol.cli.CommandLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DistributorMainTest {
    @TempDir
    Path dir;

    private record Run(int code, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = CommandLines.create(new DistributorMain());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute(args);
        return new Run(code, err.toString());
    }

    /** Writes {@code yaml} as the config file d.yaml. */
    private Path configFile(String yaml) throws Exception {
        return Files.writeString(dir.resolve("d.yaml"), yaml);
    }

    /** A DistributorMain with these arguments parsed, not run: buildConfig() is what a reload builds. */
    private static DistributorMain parsed(String... args) {
        DistributorMain m = new DistributorMain();
        CommandLines.create(m).parseArgs(args);
        return m;
    }

    @Test
    void shouldExplainABadAnalyzerFlagInOneLine() {
        Run r = run("--analyzer", "a1=127.0.0.1:7101");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElse("")).startsWith("error:").contains("NAME=HOST:PORT@WEIGHT");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void shouldRefuseToStartWithoutAnalyzers() {
        Run r = run("--listen", "127.0.0.1:0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no analyzers");
    }

    @Test
    void shouldRefuseMoreConnectionsPerAnalyzerThanEventLoops() {
        Run r = run("--analyzer", "a1=127.0.0.1:7101@1", "--threads", "2", "--analyzer-connections", "3");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElse(""))
            .isEqualTo("error: --analyzer-connections must be at most the event loops (threads=2) (was 3)");
        assertThat(r.err()).doesNotContain("\tat ");
    }

    @Test
    void shouldNameTheFlagOrTheFileAndKeyOfASettingOutOfRange() throws Exception {
        Run flag = run("--analyzer", "a1=127.0.0.1:7101@1", "--emitter-window", "0");
        assertThat(flag.code()).isEqualTo(2);
        assertThat(flag.err().lines().findFirst().orElse("")).isEqualTo("error: --emitter-window must be 1..65536 (was 0)");

        Path file = configFile("analyzers:\n  - { name: a1, address: 127.0.0.1:7101, weight: 1 }\nparkedBytes: -1\n");
        Run fromFile = run("--config", file.toString());
        assertThat(fromFile.code()).isEqualTo(2);
        assertThat(fromFile.err().lines().findFirst().orElse(""))
            .isEqualTo("error: " + file + ": parkedBytes must not be negative (was -1)");
        assertThatThrownBy(() -> parsed("--config", file.toString()).buildConfig()).as("what a reload refuses")
            .hasMessage(file + ": parkedBytes must not be negative (was -1)");

        Run flagOverFile = run("--config", file.toString(), "--parked-bytes", "-2");
        assertThat(flagOverFile.err().lines().findFirst().orElse("")).isEqualTo("error: --parked-bytes must not be negative (was -2)");
    }

    @Test
    void shouldRefuseNamesThatCannotFitTheFramesTheyGoIn() {
        Run own = run("--analyzer", "a1=127.0.0.1:7101@1", "--name", "x".repeat(70_000));
        assertThat(own.code()).isEqualTo(2);
        assertThat(own.err().lines().findFirst().orElse(""))
            .isEqualTo("error: --name must be at most 65535 bytes of UTF-8 (was 70000 chars)");

        Run analyzer = run("--analyzer", "a".repeat(256) + "=127.0.0.1:7101@1");
        assertThat(analyzer.code()).isEqualTo(2);
        assertThat(analyzer.err().lines().findFirst().orElse(""))
            .startsWith("error:").contains("analyzer name of 256 bytes is too long: at most 255 bytes of UTF-8");
        assertThat(analyzer.err()).doesNotContain("\tat ");
        assertThat(parsed("--analyzer", "é".repeat(127) + "=127.0.0.1:7101@1").buildConfig().analyzers())
            .as("254 bytes of UTF-8 is a name").hasSize(1);
        assertThatThrownBy(() -> parsed("--analyzer", "é".repeat(128) + "=127.0.0.1:7101@1").buildConfig())
            .as("256 bytes of UTF-8, 128 chars").hasMessageContaining("256 bytes is too long");
    }

    @Test
    void shouldSayWhichListenerCannotBindAPortInUse() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String admin = "127.0.0.1:" + taken.getLocalPort();
            Run r = run("--listen", "127.0.0.1:0", "--admin", admin, "--analyzer", "a1=127.0.0.1:7101@1");

            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err().lines().findFirst().orElse(""))
                .isEqualTo("error: cannot serve the admin API on " + admin + ": address already in use");

            r = run("--listen", admin, "--analyzer", "a1=127.0.0.1:7101@1");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err().lines().findFirst().orElse(""))
                .isEqualTo("error: cannot listen for emitters on " + admin + ": address already in use");
        }
    }

    @Test
    void shouldExplainABadAddress() {
        Run r = run("--listen", "localhost");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("HOST:PORT");
    }

    @Test
    void shouldRefuseAConfigWhoseAnalyzersAreAllGoneAsAReloadWould() throws Exception {
        Path p = configFile("""
            analyzers:
              - { name: a1, address: 127.0.0.1:7101, weight: 1 }
            """);
        DistributorMain m = parsed("--config", p.toString());
        assertThat(m.buildConfig().analyzers()).hasSize(1);

        configFile("""
            analyzers:
            """);

        assertThatThrownBy(m::buildConfig)
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no analyzers");
    }

    @Test
    void shouldNameTheMissingFieldOfAnAnalyzerEntry() throws Exception {
        Path p = configFile("""
            analyzers:
              - { name: a1, address: 127.0.0.1:7101 }
            """);

        Run r = run("--config", p.toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElse("")).startsWith("error:").contains("analyzers[0]: missing weight");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void shouldRefuseADeadLetterDirectoryItCannotCreateBeforeStarting() throws Exception {
        Path file = Files.writeString(dir.resolve("plain.txt"), "not a directory");

        Run r = run("--listen", "127.0.0.1:0", "--analyzer", "a1=127.0.0.1:7101@1", "--dead-letter", file.resolve("dl").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().findFirst().orElse("")).startsWith("error: cannot use the dead-letter directory");
        assertThat(r.err()).doesNotContain("\tat ");
    }

    @Test
    void shouldSayAnUnknownListenHostInOneLine() {
        Run r = run("--listen", "nohost.invalid:0", "--analyzer", "a1=127.0.0.1:7101@1");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().lines().findFirst().orElse("")).isEqualTo("error: cannot listen for emitters on nohost.invalid:0: unknown host");
        assertThat(r.err()).doesNotContain("\tat ");
    }

    @Test
    void shouldLetFlagsOverrideTheConfigFile() throws Exception {
        Path p = configFile("""
            listen: 127.0.0.1:7000
            analyzers:
              - { name: a1, address: 127.0.0.1:7101, weight: 1 }
            linkWindow: 64
            """);
        DistributorMain m = parsed("--config", p.toString(), "--listen", "127.0.0.1:7999");
        var c = m.buildConfig();
        assertThat(c.listen().port()).isEqualTo(7999);
        assertThat(c.linkWindow()).isEqualTo(64);
        assertThat(c.analyzers()).hasSize(1);
    }

    @Test
    void shouldLetAnalyzerFlagsReplaceTheFileAnalyzersAsAWhole() throws Exception {
        Path p = configFile("""
            analyzers:
              - { name: a1, address: 127.0.0.1:7101, weight: 1 }
              - { name: a2, address: 127.0.0.1:7102, weight: 1 }
            """);
        DistributorMain m = parsed("--config", p.toString(), "--analyzer", "b1=127.0.0.1:7201@2");
        assertThat(m.buildConfig().analyzers()).extracting(Object::toString).containsExactly("b1=127.0.0.1:7201@2.0");
    }

    @Test
    void shouldGiveTheSameConfigurationFromEveryFlagAsFromTheFileKeyOfTheSameName() throws Exception {
        Path p = configFile("""
            listen: 127.0.0.1:7001
            admin: 127.0.0.1:7081
            name: edge-1
            analyzers:
              - { name: a1, address: 127.0.0.1:7101, weight: 0.4 }
              - { name: a2, address: 127.0.0.1:7102, weight: 6 }
            threads: 3
            analyzerConnections: 2
            emitterWindow: 512
            linkWindow: 256
            maxFrameLength: 65536
            parkedBytes: 1000000
            reconnectBase: 100ms
            reconnectMax: 5s
            linkTimeout: 3s
            maxRetries: 7
            deadLetter: /var/tmp/dead-letter
            slowStart: 0
            queueBytes: 2000000
            overflow: shed:9
            drainTimeout: 3s
            emitterExpiry: 1h
            """);
        DistributorMain fromFile = new DistributorMain();
        CommandLines.create(fromFile).parseArgs("--config", p.toString());
        DistributorMain fromFlags = new DistributorMain();
        CommandLines.create(fromFlags).parseArgs("--listen", "127.0.0.1:7001", "--admin", "127.0.0.1:7081", "--name", "edge-1",
            "--analyzer", "a1=127.0.0.1:7101@0.4", "--analyzer", "a2=127.0.0.1:7102@6", "--threads", "3",
            "--analyzer-connections", "2", "--emitter-window", "512", "--link-window", "256", "--max-frame-length", "65536", "--parked-bytes", "1000000",
            "--reconnect-base", "100ms", "--reconnect-max", "5s", "--link-timeout", "3s", "--max-retries", "7",
            "--dead-letter", "/var/tmp/dead-letter", "--slow-start", "0", "--queue-bytes", "2000000", "--overflow", "shed:9",
            "--drain-timeout", "3s", "--emitter-expiry", "1h");
        DistributorConfig c = fromFlags.buildConfig();
        assertThat(c).isEqualTo(fromFile.buildConfig());
        DistributorConfig defaults = DistributorConfig.builder().build();
        for (RecordComponent rc : DistributorConfig.class.getRecordComponents()) {
            if (!rc.getName().equals("helloTimeout")) {
                assertThat(rc.getAccessor().invoke(c)).as("%s was set", rc.getName()).isNotEqualTo(rc.getAccessor().invoke(defaults));
            }
        }
    }
}
