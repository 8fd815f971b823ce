package io.logdist.analyzer;

import io.logdist.protocol.cli.CommandLines;
import io.logdist.protocol.cli.HostPort;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class AnalyzerMainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = CommandLines.create(new AnalyzerMain());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void shouldSayInOneLineThatThePortIsInUseAndExit1() throws Exception {
        try (AnalyzerServer taken = AnalyzerServer.start(AnalyzerConfig.defaults("a1", new HostPort("127.0.0.1", 0)))) {
            int code = run("--listen", "127.0.0.1:" + taken.port(), "--name", "a2", "--quiet");

            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).isEqualTo("error: cannot listen on 127.0.0.1:" + taken.port() + ": address already in use" + System.lineSeparator());
        }
    }

    @Test
    void shouldSayInOneLineThatTheReportCannotBeWrittenAndExit1(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        java.nio.file.Path report = dir.resolve("missing-dir").resolve("a1.json");

        int code = run("--listen", "127.0.0.1:0", "--name", "a1", "--quiet", "--report", report.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("error: cannot write report file " + report + ": no such file or directory" + System.lineSeparator());
    }

    @Test
    void shouldPrintHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("--listen", "--name", "--window", "--max-frame-length", "--report",
            "--record", "--report-interval", "--quiet");
    }

    @Test
    void shouldRefuseABadWindowInOneLine() {
        assertThat(run("--listen", "127.0.0.1:0", "--name", "a1", "--window", "0")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("error: window=0 must be at least 1" + System.lineSeparator());
    }

    @Test
    void shouldRefuseAMissingName() {
        assertThat(run("--listen", "127.0.0.1:0")).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: Missing required option: '--name=NAME'");
    }

    @Test
    void shouldRefuseANameThatCannotFitAWelcomeInOneLine() {
        assertThat(run("--listen", "127.0.0.1:0", "--name", "x".repeat(70_000))).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("error: name must be at most 65535 bytes of UTF-8 (was 70000 chars)"
            + System.lineSeparator());
    }
}
