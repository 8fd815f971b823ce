package io.logdist.emitter;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.logdist.protocol.cli.CommandLines;
import io.logdist.protocol.deadletter.DeadLetterWriter;
import io.logdist.protocol.testing.PacketModel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line: options, one-line usage errors, exit codes. */
class EmitterMainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private FakeDistributor fake;

    @BeforeEach
    void startFake() throws InterruptedException {
        fake = new FakeDistributor();
    }

    @AfterEach
    void stopFake() {
        fake.close();
    }

    private int run(String... args) {
        CommandLine cl = CommandLines.create(new EmitterMain());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private String[] withDistributor(String... args) {
        List<String> all = new ArrayList<>(List.of("--distributor", fake.address().toString(), "--quiet"));
        all.addAll(Arrays.asList(args));
        return all.toArray(String[]::new);
    }

    @Test
    void shouldPrintHelpListingEveryOption() {
        assertThat(run("--help")).isZero();

        assertThat(out.toString()).contains("--distributor", "--rate", "--duration", "--messages-per-packet",
            "--message-bytes", "--connections", "--priority", "--file", "--window", "--emitter-id", "--name",
            "--drain-timeout", "--max-packets", "--report", "--quiet", "--replay");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--messages-per-packet|0|error: --messages-per-packet must be 1..65535 (was 0)",
        "--messages-per-packet|70000|error: --messages-per-packet must be 1..65535 (was 70000)",
        "--message-bytes|0|error: --message-bytes must be 1..1048536 (was 0)",
        "--connections|0|error: --connections must be 1..10000 (was 0)",
        "--window|0|error: --window must be 1..65536 (was 0)",
        "--rate|-5|error: --rate must be 0 or more (was -5)",
        "--max-packets|-1|error: --max-packets must be 0 or more (was -1)",
        "--emitter-id|-3|error: --emitter-id must be 0..9223372036854775807 (was -3)",
        "--priority|urgent|error: Invalid value for option '--priority': priority 'urgent' is not fixed:N (N 0..255), random, weighted or cyclic",
        "--priority|fixed:300|error: Invalid value for option '--priority': priority 'fixed:300' is outside 0..255",
    })
    void shouldExplainABadValueInOneLineAndExitTwo(String option, String value, String expected) {
        assertThat(run(withDistributor(option, value))).isEqualTo(2);

        assertThat(err.toString().lines().findFirst()).contains(expected);
        assertThat(err.toString()).doesNotContain("\tat ", "Exception");
    }

    @Test
    void shouldAskForTheDistributor() {
        assertThat(run("--rate", "10")).isEqualTo(2);

        assertThat(err.toString()).contains("--distributor");
    }

    @Test
    void shouldRefuseAnAddressWithoutAPort() {
        assertThat(run("--distributor", "localhost")).isEqualTo(2);

        assertThat(err.toString()).contains("HOST:PORT").doesNotContain("\tat ");
    }

    @Test
    void shouldRefuseAFileThatCannotBeRead(@TempDir Path dir) {
        Path missing = dir.resolve("nope.log");

        assertThat(run(withDistributor("--file", missing.toString()))).isEqualTo(2);

        assertThat(err.toString().lines().findFirst()).contains("error: cannot read " + missing + " (no such file)");
    }

    @Test
    void shouldRefuseADirectoryAsTheFileToShip(@TempDir Path dir) {
        assertThat(run(withDistributor("--file", dir.toString()))).isEqualTo(2);

        assertThat(err.toString().lines().findFirst().orElse("")).contains("error: cannot read " + dir + " (a directory");
        assertThat(fake.hellos()).isEmpty();
    }

    @Test
    void shouldRefuseAReportInADirectoryThatDoesNotExistBeforeSendingAnything(@TempDir Path dir) {
        Path report = dir.resolve("missing").resolve("report.json");

        assertThat(run(withDistributor("--max-packets", "5", "--report", report.toString()))).isEqualTo(2);

        assertThat(err.toString().lines().findFirst().orElse(""))
            .contains("--report: the directory " + dir.resolve("missing") + " does not exist");
        assertThat(err.toString()).doesNotContain("\tat ");
        assertThat(fake.hellos()).isEmpty();
    }

    @Test
    void shouldRunToTheEndPrintASummaryAndWriteTheReport(@TempDir Path dir) {
        Path report = dir.resolve("report.json");

        int code = run(withDistributor("--max-packets", "20", "--duration", "0", "--messages-per-packet", "4",
            "--emitter-id", "77", "--priority", "weighted", "--report", report.toString()));

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("emitter: sent 20 packets (80 msgs), acked 20 packets (80 msgs");
        assertThat(out.toString()).contains("msg/s", "MB/s", "p99.9");
        assertThat(report).exists();
        assertThat(fake.hellos()).extracting(FakeDistributor.Hello::emitterId).containsExactly(77L);
    }

    @Test
    void shouldExitOneWhenPacketsAreLeftUnackedAfterTheDrainTimeout() {
        fake.neverAck = true;

        int code = run(withDistributor("--max-packets", "3", "--duration", "0", "--drain-timeout", "200ms"));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("emitter: 3 packets left unacknowledged after the 200ms drain timeout");
    }

    @Test
    void shouldExitOneWhenTheDistributorWasNeverReached() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }

        int code = run("--distributor", "127.0.0.1:" + port, "--duration", "300ms", "--quiet");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("emitter: could not reach 127.0.0.1:" + port + " in 300ms; giving up"
            + System.lineSeparator());
    }

    private static EmitterConfig parsed(String... args) {
        EmitterMain main = new EmitterMain();
        CommandLines.create(main).parseArgs(args);
        return main.config();
    }

    @Test
    void shouldSendAWholeFileUnlessADurationIsGiven(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("app.log"), "one\n");

        assertThat(parsed("--distributor", "127.0.0.1:1", "--file", file.toString()).duration()).isZero();
        assertThat(parsed("--distributor", "127.0.0.1:1", "--file", "-").duration()).isZero();
        assertThat(parsed("--distributor", "127.0.0.1:1", "--file", file.toString(), "--duration", "5s").duration())
            .isEqualTo(Duration.ofSeconds(5));
        assertThat(parsed("--distributor", "127.0.0.1:1").duration()).as("generated load").isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void shouldSayHowManyLinesReadWereNotSentWhenTheDurationEndsFirst(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("app.log"), "line\n".repeat(1000));

        int code = run(withDistributor("--file", file.toString(), "--duration", "300ms", "--rate", "10",
            "--messages-per-packet", "1"));

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("emitter: \\d+ lines read from " + java.util.regex.Pattern.quote(file.toString())
            + " were not sent: the run stopped first");
    }

    @Test
    void shouldShipStandardInputWithADash(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("in.log");
        Files.writeString(file, "alpha\nbeta\n");
        java.io.InputStream stdin = System.in;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            System.setIn(in);
            assertThat(run(withDistributor("--file", "-", "--duration", "0"))).as(err.toString()).isZero();
        } finally {
            System.setIn(stdin);
        }

        assertThat(out.toString()).contains("acked 1 packets (2 msgs");
    }

    @Test
    void shouldExitOneWhenTheInputCannotBeReadToItsEnd() {
        // Two lines, then a read error (EIO from a failing disk, say): not the end of the input.
        java.io.InputStream failing = new java.io.InputStream() {
            private final java.io.InputStream lines = new java.io.ByteArrayInputStream("alpha\nbeta\n".getBytes(StandardCharsets.UTF_8));

            @Override
            public int read() throws java.io.IOException {
                int b = lines.read();
                if (b < 0) {
                    throw new java.io.IOException("Input/output error");
                }
                return b;
            }

            @Override
            public int read(byte[] into, int off, int len) throws java.io.IOException {
                int n = lines.read(into, off, len);
                if (n < 0) {
                    throw new java.io.IOException("Input/output error");
                }
                return n;
            }
        };
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(failing);
            assertThat(run(withDistributor("--file", "-", "--duration", "0"))).as(out.toString()).isEqualTo(1);
        } finally {
            System.setIn(stdin);
        }

        assertThat(out.toString()).as("what was read still went out").contains("acked 1 packets (2 msgs");
        assertThat(err.toString()).contains("error: reading standard input failed (Input/output error); the lines after 2 were not read");
    }

    /** A dead-letter file of {@code packets} one-message packets ("m1", "m2", ...), the second with a broken CRC when asked. */
    private static Path deadLetterFile(Path dir, int packets, boolean secondInvalid) throws Exception {
        try (DeadLetterWriter writer = DeadLetterWriter.open(dir)) {
            for (int i = 1; i <= packets; i++) {
                byte[] packet = new PacketModel(3, i, 0, 1, List.of(("m" + i).getBytes(StandardCharsets.UTF_8))).toBytes();
                if (secondInvalid && i == 2) {
                    // The model always writes a right CRC: change the last payload byte after it.
                    packet[packet.length - 1] = 'x';
                }
                ByteBuf b = Unpooled.wrappedBuffer(packet);
                try {
                    writer.append(b, 5, "max retries");
                } finally {
                    b.release();
                }
            }
            return writer.file();
        }
    }

    @Test
    void shouldReplayADeadLetterFileUntilEverythingIsAckedWithoutADuration(@TempDir Path dir) throws Exception {
        Path file = deadLetterFile(dir, 5, true);
        Path report = dir.resolve("report.json");

        int code = run(withDistributor("--replay", file.toString(), "--report", report.toString()));

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("acked 4 packets (4 msgs")
            .contains("emitter: replayed 4 dead-lettered packets from 1 file, skipped 1 invalid");
        assertThat(new ObjectMapper().readTree(report.toFile()).get("replayed_packets").asLong()).isEqualTo(4);
    }

    @Test
    void shouldExplainInOneLineWhyADeadLetterFileCannotBeReplayed(@TempDir Path dir) throws Exception {
        Path file = deadLetterFile(dir, 3, false);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1; // the last record's CRC no longer matches
        Files.write(file, bytes);

        assertThat(run(withDistributor("--replay", file.toString()))).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: dead-letter file " + file + " is corrupt: the record at offset ")
            .contains("fails its CRC check").hasLineCount(1);

        err.getBuffer().setLength(0);
        assertThat(run(withDistributor("--replay", dir.resolve("nope").toString()))).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("error: cannot read dead-letter file " + dir.resolve("nope") + " (no such file)"
            + System.lineSeparator());

        err.getBuffer().setLength(0);
        assertThat(run(withDistributor("--replay", file.toString(), "--file", file.toString()))).isEqualTo(2);
        assertThat(err.toString().lines().findFirst()).contains("error: --replay and --file cannot be combined");
        assertThat(fake.packetCount()).isZero();
    }
}
