package io.logdist.distributor;

import io.logdist.protocol.cli.CommandLines;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The distributor CLI's operations options. */
class DistributorMainOperationsTest {

    @Test
    void shouldRefuseAnUnknownLogFormatInOneLine() {
        CommandLine cl = CommandLines.create(new DistributorMain());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute("--log-format", "xml", "--listen", "127.0.0.1:0", "--analyzer", "a1=127.0.0.1:1@1");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().lines().toList()).hasSize(1);
        assertThat(err.toString()).startsWith("error:").contains("logFormat='xml' must be text or json").doesNotContain("\tat ");
    }
}
