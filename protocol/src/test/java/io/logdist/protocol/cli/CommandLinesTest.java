package io.logdist.protocol.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

class CommandLinesTest {
    @Command(name = "probe")
    static final class Probe implements Callable<Integer> {
        @Option(names = "--timeout")
        Duration timeout;

        @Option(names = "--connect")
        HostPort connect;

        /** A value read the way a config file would be read, after picocli is done. */
        @Option(names = "--from-config")
        String fromConfig;

        @Option(names = "--missing-file")
        String missingFile;

        @Override
        public Integer call() {
            if (fromConfig != null) {
                DurationConverter.parse(fromConfig);
            }
            if (missingFile != null) {
                throw new CommandLines.UserError("cannot read " + missingFile);
            }
            return 0;
        }
    }

    private final Probe probe = new Probe();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = CommandLines.create(probe);
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void shouldParseDurationsAndAddressesTheSameWayEverywhere() {
        assertThat(run("--timeout", "500ms", "--connect", "[::1]:7000")).isZero();
        assertThat(probe.timeout).isEqualTo(Duration.ofMillis(500));
        assertThat(probe.connect).isEqualTo(new HostPort("::1", 7000));
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shouldPrintOneLineAndExitTwoForABadDurationOption() {
        assertThat(run("--timeout", "15 seconds")).isEqualTo(2);
        assertThat(err.toString())
            .startsWith("error: ")
            .contains("'15 seconds' is not a duration; write a number and a unit, e.g. 500ms, 15s, 2m")
            .contains("try 'probe --help'")
            .doesNotContain("Exception");
    }

    @Test
    void shouldPrintOneLineAndExitTwoForABadAddressOption() {
        assertThat(run("--connect", "localhost")).isEqualTo(2);
        assertThat(err.toString())
            .startsWith("error: ")
            .contains("'localhost' is not an address")
            .doesNotContain("Exception");
    }

    @Test
    void shouldPrintOneLineAndExitTwoForABadDurationReadInsideTheCommand() {
        assertThat(run("--from-config", "soon")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo(
            "error: 'soon' is not a duration; write a number and a unit, e.g. 500ms, 15s, 2m" + System.lineSeparator());
    }

    @Test
    void shouldPrintOneLineAndExitTwoForAUserError() {
        assertThat(run("--missing-file", "x.yaml")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("error: cannot read x.yaml" + System.lineSeparator());
    }

    @Test
    void shouldAcceptEnumValuesInAnyCase() {
        assertThat(CommandLines.create(probe).isCaseInsensitiveEnumValuesAllowed()).isTrue();
    }

    @Test
    void shouldNameTheCommandAsTheUserRunsItInTheHint() {
        System.setProperty(CommandLines.COMMAND_PROPERTY, "scripts/logdist probe");
        try {
            assertThat(run("--timeout", "soon")).isEqualTo(2);
        } finally {
            System.clearProperty(CommandLines.COMMAND_PROPERTY);
        }

        assertThat(err.toString().lines()).last().isEqualTo("try 'scripts/logdist probe --help' for the options");
    }
}
