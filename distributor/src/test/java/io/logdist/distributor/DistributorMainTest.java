package io.logdist.distributor;

import io.logdist.protocol.cli.CommandLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

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
    void shouldExplainABadAddress() {
        Run r = run("--listen", "localhost");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("HOST:PORT");
    }

    @Test
    void shouldLetFlagsOverrideTheConfigFile() throws Exception {
        Path p = dir.resolve("d.yaml");
        Files.writeString(p, """
            listen: 127.0.0.1:7000
            analyzers:
              - { name: a1, address: 127.0.0.1:7101, weight: 1 }
            linkWindow: 64
            """);
        DistributorMain m = new DistributorMain();
        CommandLines.create(m).parseArgs("--config", p.toString(), "--listen", "127.0.0.1:7999");
        var c = m.buildConfig();
        assertThat(c.listen().port()).isEqualTo(7999);
        assertThat(c.linkWindow()).isEqualTo(64);
        assertThat(c.analyzers()).hasSize(1);
    }
}
