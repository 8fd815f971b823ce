package io.logdist.emitter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.testing.FrameModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** End-to-end: a real {@link Emitter} against a {@link FakeDistributor} on 127.0.0.1. */
class EmitterTest {
    private static final long TIMEOUT_S = 15;

    private FakeDistributor fake;

    @BeforeEach
    void startFake() throws InterruptedException {
        fake = new FakeDistributor();
    }

    @AfterEach
    void stopFake() {
        fake.close();
    }

    private EmitterConfig config() {
        return EmitterConfig.defaults(fake.address())
            .withQuiet(true)
            .withDuration(Duration.ZERO)
            .withDrainTimeout(Duration.ofSeconds(5));
    }

    private static EmitterReport run(EmitterConfig config) throws Exception {
        try (Emitter emitter = Emitter.start(config)) {
            return emitter.completion().get(TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldGetEveryPacketAckedAndCountMessagesAndBytes() throws Exception {
        fake.pingAfterWelcome = true;
        EmitterConfig config = config().withConnections(2).withMaxPackets(300).withMessagesPerPacket(10)
            .withMessageBytes(100).withEmitterIdBase(1000);

        EmitterReport report = run(config);

        assertThat(report.packetsSent()).isEqualTo(300);
        assertThat(report.packetsAcked()).isEqualTo(300);
        assertThat(report.packetsNacked()).isZero();
        assertThat(report.messagesAcked()).isEqualTo(3000);
        assertThat(report.bytesAcked()).isEqualTo(300_000);
        assertThat(report.seconds()).isPositive();
        assertThat(report.msgsPerS()).isPositive();
        assertThat(report.emitters()).containsOnlyKeys(1000L, 1001L);
        long ackedThroughSum = report.emitters().values().stream().mapToLong(EmitterReport.EmitterProgress::ackedThrough)
            .sum();
        assertThat(ackedThroughSum).isEqualTo(300);
        assertThat(report.emitters().values()).allSatisfy(p -> assertThat(p.refused()).isEmpty());

        List<FakeDistributor.Received> received = fake.accepted();
        assertThat(received).hasSize(300);
        assertThat(received).allSatisfy(p -> {
            assertThat(p.count()).isEqualTo(10);
            assertThat(p.payloadBytes()).isEqualTo(1000);
            assertThat(p.priority()).isZero();
        });
        for (long id : List.of(1000L, 1001L)) {
            List<Long> sequences = received.stream().filter(p -> p.emitterId() == id)
                .map(FakeDistributor.Received::sequence).toList();
            assertThat(sequences).isEqualTo(LongStream.rangeClosed(1, sequences.size()).boxed().toList());
        }
        assertThat(fake.badPackets()).isZero();
        assertThat(fake.duplicates()).isZero();
        // WELCOME and PING arrive in one read, and the packets WELCOME releases go out before the
        // PONG: a connection's PONG can reach the fake after its last packet was ACKed.
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.pongs().size() == 2);
        assertThat(fake.pongs()).containsOnly(77L);
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.goodbyes() == 2);
    }

    @Test
    void shouldResendNackedMessagesUnderANewSequenceAndReportTheRefusedOne() throws Exception {
        fake.nackOnceSequence = 5;
        EmitterConfig config = config().withMaxPackets(20).withMessagesPerPacket(3).withEmitterIdBase(42);

        EmitterReport report = run(config);

        assertThat(report.packetsNacked()).isEqualTo(1);
        assertThat(report.packetsSent()).isEqualTo(21);
        assertThat(report.packetsAcked()).isEqualTo(20);
        assertThat(report.messagesAcked()).isEqualTo(60);
        EmitterReport.EmitterProgress progress = report.emitters().get(42L);
        assertThat(progress.refused()).containsExactly(5);
        assertThat(progress.ackedThrough()).isEqualTo(21);

        List<FakeDistributor.Received> packets = fake.packets();
        FakeDistributor.Received refused = packets.stream().filter(FakeDistributor.Received::nacked).findFirst()
            .orElseThrow();
        assertThat(refused.sequence()).isEqualTo(5);
        List<FakeDistributor.Received> sameMessages = packets.stream()
            .filter(p -> !p.nacked() && p.messages().equals(refused.messages())).toList();
        assertThat(sameMessages).hasSize(1);
        assertThat(sameMessages.get(0).sequence()).isGreaterThan(5);
        assertThat(fake.duplicates()).isZero();
    }

    @Test
    void shouldSplitAnUnackedPacketThatNoLongerFitsTheDistributorsFrames() throws Exception {
        // The distributor comes back with a lower maxFrameLength (8192) while 12 KB packets are
        // unacknowledged: resent whole, each would get ERROR FRAME_TOO_LARGE, reconnect after reconnect.
        fake.dropAtPacket = 3;
        fake.maxFrameLengthAfterDrop = 8192;
        EmitterConfig config = config().withMaxPackets(6).withMessagesPerPacket(4).withMessageBytes(3000).withWindow(4)
            .withEmitterIdBase(8);

        EmitterReport report = run(config);

        assertThat(fake.badPackets()).as("frames refused as too large or invalid").isZero();
        assertThat(report.packetsAcked()).isEqualTo(report.packetsSent());
        List<FakeDistributor.Received> packets = fake.packets();
        FakeDistributor.Received lost = packets.stream().filter(FakeDistributor.Received::lost).findFirst().orElseThrow();
        List<FakeDistributor.Received> later = packets.stream().filter(p -> p.connection() > 1).toList();
        assertThat(later).isNotEmpty().allSatisfy(p -> assertThat(p.count()).isLessThanOrEqualTo(2));
        assertThat(later).filteredOn(p -> p.sequence() == lost.sequence()).as("the lost sequence, with what fits").hasSize(1);
        assertThat(later.stream().flatMap(p -> p.messages().stream()).toList()).containsAll(lost.messages());
    }

    @Test
    void shouldNotResendUnderItsOwnSequenceAPacketWhoseNackWasLostWithTheConnection() throws Exception {
        // Sequence 5 was refused and its NACK lost with the connection; the next WELCOME stops
        // at 4 and a NACK for 5 follows it. Resent as 5 before that NACK is read, its messages
        // would go twice (as 5, then as the retry) and 5 be reported refused though taken.
        fake.dropAtPacket = 5;
        fake.nackLostWithConnection = true;
        EmitterConfig config = config().withMaxPackets(10).withEmitterIdBase(11).withWindow(8);

        EmitterReport report = run(config);

        List<FakeDistributor.Received> packets = fake.packets();
        FakeDistributor.Received refused = packets.stream().filter(FakeDistributor.Received::lost).findFirst().orElseThrow();
        assertThat(refused.sequence()).isEqualTo(5);
        List<FakeDistributor.Received> accepted = fake.accepted();
        assertThat(accepted).noneMatch(p -> p.sequence() == 5);
        assertThat(accepted.stream().flatMap(p -> p.messages().stream()).filter(refused.messages()::contains))
            .as("its messages, once, under a new sequence").hasSameSizeAs(refused.messages());
        assertThat(report.emitters().get(11L).refused()).containsExactly(5);
        assertThat(report.packetsAcked()).isEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(longs = {18, 1})
    void shouldSendNothingUnderAnEmitterIdWhoseEarlierRunTheDistributorHoldsPastWhatWelcomeSays(long refused) throws Exception {
        // An earlier run of 42 settled 1..20, refusing 18 (or 1): WELCOME says 17 (or 0), a NACK for
        // it follows. Numbered from there, this run's next ones would be ACKed as the earlier run's.
        fake.earlierRunThrough = 20;
        fake.earlierRunRefused = refused;
        try (Emitter emitter = Emitter.start(config().withMaxPackets(5).withEmitterIdBase(42))) {
            EmitterReport report = emitter.completion().get(TIMEOUT_S, TimeUnit.SECONDS);

            assertThat(fake.packets()).isEmpty();
            assertThat(report.packetsAcked()).isZero();
            assertThat(emitter.failure()).contains("emitter 42", "earlier run", "--emitter-id");
        }
    }

    @Test
    void shouldReconnectWithTheSameEmitterIdAndResendUnackedPacketsUnderTheirOwnSequences() throws Exception {
        fake.dropAtPacket = 10;
        EmitterConfig config = config().withMaxPackets(100).withEmitterIdBase(7).withWindow(16);

        EmitterReport report = run(config);

        assertThat(report.packetsAcked()).isEqualTo(100);
        assertThat(report.packetsSent()).isEqualTo(100);
        assertThat(report.emitters().get(7L).ackedThrough()).isEqualTo(100);
        List<FakeDistributor.Hello> hellos = fake.hellos();
        assertThat(hellos).hasSizeGreaterThanOrEqualTo(2).allSatisfy(h -> assertThat(h.emitterId()).isEqualTo(7));

        List<FakeDistributor.Received> packets = fake.packets();
        FakeDistributor.Received lost = packets.stream().filter(FakeDistributor.Received::lost).findFirst()
            .orElseThrow();
        assertThat(lost.sequence()).isEqualTo(10);
        List<FakeDistributor.Received> second = packets.stream().filter(p -> p.connection() == 2).toList();
        // The WELCOME said 9 were held: the resend starts at 10, with the very same bytes.
        assertThat(second.get(0).sequence()).isEqualTo(10);
        assertThat(second.get(0).packet()).isEqualTo(lost.packet());
        assertThat(second.stream().map(FakeDistributor.Received::sequence).toList())
            .isEqualTo(LongStream.rangeClosed(10, 100).boxed().toList());
        assertThat(fake.duplicates()).isZero();
        assertThat(fake.windowViolations()).isZero();
    }

    @Test
    void shouldReconnectAfterAnErrorFromTheDistributor() throws Exception {
        fake.errorAtPacket = 5;
        EmitterConfig config = config().withMaxPackets(40).withEmitterIdBase(5);

        try (Emitter emitter = Emitter.start(config)) {
            EmitterReport report = emitter.completion().get(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(report.packetsAcked()).isEqualTo(40);
            assertThat(emitter.reconnects()).isEqualTo(1);
        }
        assertThat(fake.hellos()).hasSize(2).allSatisfy(h -> assertThat(h.emitterId()).isEqualTo(5));
        assertThat(fake.accepted().stream().map(FakeDistributor.Received::sequence).sorted().toList())
            .isEqualTo(LongStream.rangeClosed(1, 40).boxed().toList());
    }

    /** The emitter's warnings while {@code body} runs. */
    private static List<String> warningsDuring(ThrowingRunnable body) throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.logdist.emitter");
        // The emitter's event loops log here while the test thread reads: a concurrent queue, not a list.
        java.util.Queue<String> warnings = new java.util.concurrent.ConcurrentLinkedQueue<>();
        ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> appender = new ch.qos.logback.core.AppenderBase<>() {
            @Override
            protected void append(ch.qos.logback.classic.spi.ILoggingEvent e) {
                if (e.getLevel() == ch.qos.logback.classic.Level.WARN) {
                    warnings.add(e.getFormattedMessage());
                }
            }
        };
        appender.start();
        logger.addAppender(appender);
        try {
            body.run();
        } finally {
            logger.detachAppender(appender);
        }
        return List.copyOf(warnings);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void shouldNotSayTheDistributorForgotItWhenWelcomeStopsBelowARecentRefusal() throws Exception {
        // 1 refused, 2-5 ACKed, the connection lost: WELCOME says 0 is held, and the NACK of 1 comes again.
        fake.nackOnceSequence = 1;
        fake.rememberRefusal = true;
        fake.dropAtPacket = 6;
        List<String> warnings = warningsDuring(() -> assertThat(run(config().withMaxPackets(8)).packetsAcked()).isEqualTo(8));
        assertThat(fake.hellos()).hasSize(2);
        assertThat(warnings).noneMatch(w -> w.contains("forget this emitter"));
    }

    @Test
    void shouldSayTheDistributorForgotItWhenWelcomeSaysLessThanWasAcked() throws Exception {
        fake.dropAtPacket = 6;
        fake.forgetAtDrop = true;
        List<String> warnings = warningsDuring(() -> run(config().withMaxPackets(8)));
        assertThat(fake.hellos()).hasSize(2);
        assertThat(warnings).anyMatch(w -> w.contains("holds sequences through 0 only, after it had acknowledged 5"));
    }

    @Test
    void shouldNotResendWhatTheWelcomeSaysIsAlreadyHeld() throws Exception {
        fake.dropAtPacket = 10;
        fake.keepDroppedPacket = true;
        EmitterConfig config = config().withMaxPackets(50).withEmitterIdBase(8).withWindow(16);

        EmitterReport report = run(config);

        assertThat(report.packetsAcked()).isEqualTo(50);
        assertThat(report.emitters().get(8L).ackedThrough()).isEqualTo(50);
        List<FakeDistributor.Received> second = fake.packets().stream().filter(p -> p.connection() == 2).toList();
        assertThat(second.get(0).sequence()).isEqualTo(11);
        assertThat(fake.duplicates()).isZero();
    }

    @Test
    void shouldReportTheFirstSequenceOfARunWhoseEmitterIdTheDistributorAlreadyHeld() throws Exception {
        EmitterConfig config = config().withMaxPackets(5).withEmitterIdBase(31);
        assertThat(run(config).emitters().get(31L).firstSequence()).isEqualTo(1);

        EmitterReport again = run(config);

        // The audit then expects 6..10 of this run, not 1..10.
        assertThat(again.emitters().get(31L).firstSequence()).isEqualTo(6);
        assertThat(again.emitters().get(31L).ackedThrough()).isEqualTo(10);
    }

    static List<FrameModel> framesThatAreNotAWelcome() {
        return List.of(new FrameModel.Goodbye(), new FrameModel.Ping(7), new FrameModel.Pong(7));
    }

    @ParameterizedTest
    @MethodSource("framesThatAreNotAWelcome")
    void shouldAnswerAnythingButWelcomeInPlaceOfWelcomeWithAProtocolViolation(FrameModel instead) throws Exception {
        // "the acceptor answers WELCOME. Any other first frame ... gets ERROR and a close."
        fake.insteadOfWelcome = instead;
        try (Emitter emitter = Emitter.start(config().withMaxPackets(1))) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !fake.errorsReceived.isEmpty());
            assertThat(fake.errorsReceived.peek()).isEqualTo(10);
            assertThat(fake.packets()).isEmpty();
            assertThat(emitter.snapshot().packetsSent()).isZero();
        }
    }

    @Test
    void shouldNotCountTheTimeALogWasQuietAsLatency() throws Exception {
        // tail -F app.log | emitter --file - --rate 1000: the log says nothing for 1.5 s. The
        // lines after that were not late; their latency is from when they could be sent.
        PipedInputStream in = new PipedInputStream(1 << 16);
        InputStream stdin = System.in;
        System.setIn(in);
        PipedOutputStream log = new PipedOutputStream(in);
        try (Emitter emitter = Emitter.start(config().withFile(EmitterConfig.STDIN).withRatePerSecond(1_000))) {
            log.write("line\n".repeat(32).getBytes(StandardCharsets.UTF_8));
            log.flush();
            await().atMost(Duration.ofSeconds(TIMEOUT_S)).until(() -> emitter.snapshot().messagesAcked() == 32);
            Thread.sleep(1_500); // the quiet log, not a wait for a condition

            log.write("line\n".repeat(32).getBytes(StandardCharsets.UTF_8));
            log.close();
            EmitterReport report = emitter.completion().get(TIMEOUT_S, TimeUnit.SECONDS);

            assertThat(report.messagesAcked()).isEqualTo(64);
            assertThat(report.latencyUs().max()).as("max ack latency, µs").isLessThan(1_000_000);
        } finally {
            log.close();
            System.setIn(stdin);
        }
    }

    @Test
    void shouldRecordNoLatencyForAConnectionThatWasNeverWelcomed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmitterConfig config = EmitterConfig.defaults(new HostPort("127.0.0.1", port)).withQuiet(true).withRatePerSecond(1_000)
            .withDuration(Duration.ofMillis(300)).withDrainTimeout(Duration.ofMillis(100));

        EmitterReport report = run(config);

        assertThat(report.latencyUs().max()).as("a schedule that never started has nothing overdue").isZero();
    }

    @Test
    void shouldCountPacketsThatWereDueButNeverSentInTheLatencyTail() throws Exception {
        // 1,000 packets a second are due, but a window of 2 never moves and nothing is ever
        // ACKed: any latency at all comes from the unsent ones, which have waited up to the
        // ~600 ms from the WELCOME (later in a cold JVM) to the end of the run.
        fake.neverAck = true;
        EmitterConfig config = config().withRatePerSecond(10_000).withMessagesPerPacket(10).withWindow(2)
            .withDuration(Duration.ofMillis(600)).withDrainTimeout(Duration.ofMillis(100));

        EmitterReport report = run(config);

        assertThat(report.packetsAcked()).isZero();
        assertThat(report.latencyUs().max()).as("max ack latency, µs").isGreaterThan(150_000);
        assertThat(report.latencyUs().p50()).as("p50 ack latency, µs").isGreaterThan(50_000);
    }

    @Test
    void shouldNeverHaveMoreThanTheGrantedWindowInFlight() throws Exception {
        fake.grantWindowAtMost = 4;
        fake.ackDelayMs = 5;
        EmitterConfig config = config().withMaxPackets(200).withWindow(64);

        EmitterReport report = run(config);

        assertThat(report.packetsAcked()).isEqualTo(200);
        assertThat(fake.windowViolations()).isZero();
        assertThat(fake.maxInFlight()).isEqualTo(4);
    }

    @Test
    void shouldReconnectAfterGoodbyeOnceEverythingInFlightIsAcked() throws Exception {
        fake.goodbyeAfterPackets = 20;
        EmitterConfig config = config().withMaxPackets(100).withEmitterIdBase(9).withWindow(8);

        EmitterReport report = run(config);

        assertThat(report.packetsAcked()).isEqualTo(100);
        assertThat(fake.hellos()).hasSizeGreaterThanOrEqualTo(2).allSatisfy(h -> assertThat(h.emitterId()).isEqualTo(9));
        assertThat(fake.duplicates()).isZero();
        assertThat(fake.accepted()).hasSize(100);
    }

    @Test
    void shouldShipEachLineOfAFileAsOneMessage(@TempDir Path dir) throws Exception {
        List<String> lines = IntStream.rangeClosed(1, 11).mapToObj(i -> "line " + i + " of the log").collect(
            Collectors.toCollection(ArrayList::new));
        lines.set(3, "");
        Path file = dir.resolve("app.log");
        // Line 6 ends in CRLF, the last line has no newline at all.
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            text.append(lines.get(i)).append(i == 5 ? "\r\n" : i == lines.size() - 1 ? "" : "\n");
        }
        Files.writeString(file, text);
        EmitterConfig config = config().withFile(file).withMessagesPerPacket(4);

        EmitterReport report = run(config);

        assertThat(report.packetsAcked()).isEqualTo(3);
        assertThat(report.messagesAcked()).isEqualTo(11);
        List<FakeDistributor.Received> packets = fake.accepted();
        assertThat(packets).extracting(FakeDistributor.Received::count).containsExactly(4, 4, 3);
        assertThat(packets.stream().flatMap(p -> p.messages().stream()).toList()).isEqualTo(lines);
        assertThat(report.bytesAcked()).isEqualTo(lines.stream().mapToLong(String::length).sum());
    }

    @Test
    void shouldSpreadFileLinesOverConnections(@TempDir Path dir) throws Exception {
        List<String> lines = IntStream.rangeClosed(1, 2000).mapToObj(i -> "request " + i + " served").toList();
        Path file = dir.resolve("many.log");
        Files.write(file, lines);
        EmitterConfig config = config().withFile(file).withMessagesPerPacket(8).withConnections(3);

        EmitterReport report = run(config);

        assertThat(report.messagesAcked()).isEqualTo(2000);
        List<FakeDistributor.Received> packets = fake.accepted();
        assertThat(packets.stream().flatMap(p -> p.messages().stream()).collect(Collectors.toSet()))
            .isEqualTo(new HashSet<>(lines));
        assertThat(packets.stream().map(FakeDistributor.Received::emitterId).distinct().count()).isGreaterThan(1);
    }

    @Test
    void shouldCutLinesLongerThanTheDistributorsFrames(@TempDir Path dir) throws Exception {
        fake.maxFrameLength = 200;
        Path file = dir.resolve("long.log");
        Files.writeString(file, "short\n" + "x".repeat(500) + "\nafter\n");
        EmitterConfig config = config().withFile(file).withMessagesPerPacket(10);

        EmitterReport report = run(config);

        assertThat(report.messagesAcked()).isEqualTo(3);
        List<String> messages = fake.accepted().stream().flatMap(p -> p.messages().stream()).toList();
        int room = 200 - 4 - 32 - 4;
        assertThat(messages).containsExactly("short", "x".repeat(room), "after");
    }

    @Test
    void shouldCutALongLineOnACharacterBoundary(@TempDir Path dir) throws Exception {
        fake.maxFrameLength = 200;
        Path file = dir.resolve("long.log");
        // room is 160 bytes; "é" is 2 bytes, so after one byte of "a" the 160th byte falls inside an "é".
        Files.writeString(file, "a" + "\u00e9".repeat(300) + "\n");
        EmitterConfig config = config().withFile(file);

        run(config);

        List<String> messages = fake.accepted().stream().flatMap(p -> p.messages().stream()).toList();
        assertThat(messages).containsExactly("a" + "\u00e9".repeat(79));
    }

    @Test
    void shouldCapPacketsToTheDistributorsMaxFrameLength() throws Exception {
        fake.maxFrameLength = 1000;
        EmitterConfig config = config().withMaxPackets(10).withMessagesPerPacket(32).withMessageBytes(100);

        EmitterReport report = run(config);

        assertThat(report.packetsAcked()).isEqualTo(10);
        int fits = (1000 - 4 - 32) / (4 + 100);
        assertThat(fake.accepted()).allSatisfy(p -> assertThat(p.count()).isEqualTo(fits));
        assertThat(report.messagesAcked()).isEqualTo(10L * fits);
    }

    @Test
    void shouldSendRoughlyTheRequestedRate() throws Exception {
        EmitterConfig config = config().withRatePerSecond(2000).withMessagesPerPacket(10)
            .withDuration(Duration.ofSeconds(1)).withConnections(2);

        EmitterReport report = run(config);

        assertThat(report.messagesAcked()).isBetween(1000L, 3000L);
        assertThat(report.packetsAcked()).isEqualTo(report.packetsSent());
        assertThat(report.latencyUs().max()).isPositive();
    }

    @Test
    void shouldReportThePacedPacketsThatWaitedForTheWindowAsSendLag() throws Exception {
        // One packet in flight and each ACK 20 ms late: packets due every millisecond can
        // only leave one per ACK, so every packet after the first leaves at least 19 ms late.
        fake.grantWindowAtMost = 1;
        fake.ackDelayMs = 20;
        EmitterConfig config = config().withRatePerSecond(10_000).withMessagesPerPacket(10).withMaxPackets(12);

        EmitterReport report = run(config);

        assertThat(report.packetsAcked()).isEqualTo(12);
        assertThat(report.sendLagUs().p99()).isGreaterThanOrEqualTo(19_000);
        assertThat(report.sendLagUs().max()).isGreaterThanOrEqualTo(11 * 19_000);
    }

    @Test
    void shouldGiveEveryPacketAPriorityFromTheSpec() throws Exception {
        EmitterConfig config = config().withMaxPackets(300).withPriority(PrioritySpec.cyclic());

        run(config);

        List<Integer> priorities = fake.accepted().stream()
            .sorted(Comparator.comparingLong(FakeDistributor.Received::sequence))
            .map(FakeDistributor.Received::priority).toList();
        assertThat(priorities).isEqualTo(IntStream.range(0, 300).map(i -> i % 256).boxed().toList());
    }

    @Test
    void shouldWriteTheReportAsJsonWithEveryKey(@TempDir Path dir) throws Exception {
        fake.nackOnceSequence = 2;
        Path reportFile = dir.resolve("report.json");
        EmitterConfig config = config().withMaxPackets(10).withEmitterIdBase(123).withReportFile(reportFile);

        EmitterReport report = run(config);

        JsonNode json = new ObjectMapper().readTree(reportFile.toFile());
        assertThat(fieldNames(json)).containsExactlyInAnyOrder("packets_sent", "packets_acked", "packets_nacked",
            "messages_acked", "bytes_acked", "seconds", "msgs_per_s", "mb_per_s", "latency_us", "send_lag_us",
            "emitters", "replayed_packets", "started_at_micros");
        long nowMicros = java.time.temporal.ChronoUnit.MICROS.between(java.time.Instant.EPOCH, java.time.Instant.now());
        assertThat(json.get("started_at_micros").asLong()).isBetween(nowMicros - 60_000_000L, nowMicros);
        assertThat(fieldNames(json.get("latency_us"))).containsExactlyInAnyOrder("p50", "p99", "p999", "max");
        assertThat(fieldNames(json.get("send_lag_us"))).containsExactlyInAnyOrder("p50", "p99", "p999", "max");
        assertThat(json.get("packets_acked").asLong()).isEqualTo(10);
        assertThat(json.get("packets_nacked").asLong()).isEqualTo(1);
        assertThat(json.get("bytes_acked").asLong()).isEqualTo(report.bytesAcked());
        JsonNode emitter = json.get("emitters").get("123");
        assertThat(fieldNames(emitter)).containsExactlyInAnyOrder("first_sequence", "acked_through", "refused");
        assertThat(emitter.get("acked_through").asLong()).isEqualTo(11);
        assertThat(emitter.get("refused").get(0).asLong()).isEqualTo(2);
    }

    @Test
    void shouldGiveUpAfterTheDrainTimeoutAndCountWhatWasNotAcked() throws Exception {
        fake.neverAck = true;
        EmitterConfig config = config().withMaxPackets(5).withDrainTimeout(Duration.ofMillis(300));

        try (Emitter emitter = Emitter.start(config)) {
            EmitterReport report = emitter.completion().get(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(report.packetsSent()).isEqualTo(5);
            assertThat(report.packetsAcked()).isZero();
            assertThat(emitter.packetsUnacked()).isEqualTo(5);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.goodbyes() == 1);
    }

    @Test
    void shouldSayItNeverConnectedWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmitterConfig config = EmitterConfig.defaults(new HostPort("127.0.0.1", port)).withQuiet(true)
            .withDuration(Duration.ofMillis(300));

        try (Emitter emitter = Emitter.start(config)) {
            EmitterReport report = emitter.completion().get(TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(emitter.neverConnected()).isTrue();
            assertThat(report.packetsSent()).isZero();
        }
    }

    @Test
    void shouldKeepRetryingUntilTheDistributorComesUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmitterConfig config = EmitterConfig.defaults(new HostPort("127.0.0.1", port)).withQuiet(true)
            .withDuration(Duration.ZERO).withMaxPackets(10);
        try (Emitter emitter = Emitter.start(config)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> emitter.connectFailures() >= 2);
            try (FakeDistributor late = new FakeDistributor(port)) {
                EmitterReport report = emitter.completion().get(TIMEOUT_S, TimeUnit.SECONDS);
                assertThat(report.packetsAcked()).isEqualTo(10);
                assertThat(emitter.neverConnected()).isFalse();
                assertThat(late.accepted()).hasSize(10);
            }
        }
    }

    @Test
    void shouldStopAndReleaseEverythingOnClose() throws Exception {
        fake.neverAck = true;
        EmitterConfig config = config().withWindow(32);
        Emitter emitter = Emitter.start(config);
        await().atMost(Duration.ofSeconds(5)).until(() -> emitter.snapshot().packetsSent() == 32);

        emitter.close();

        assertThat(emitter.completion()).isCompleted();
        assertThat(emitter.packetsUnacked()).isEqualTo(32);
    }

    @Test
    void shouldWaitForAnAckRatherThanSpinWhenARefusedPacketIsDueAndTheWindowIsFull() throws Exception {
        // Window 2: sequence 1 is never ACKed and 2 is refused, so once 2's retry is due the
        // window is still full. The emitter's loop must then sleep until an ACK comes.
        fake.grantWindowAtMost = 2;
        fake.nackOnceSequence = 2;
        fake.neverAck = true;
        EmitterConfig config = config().withMaxPackets(2).withWindow(2);
        try (Emitter emitter = Emitter.start(config)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> emitter.snapshot().packetsNacked() == 1);

            // The NACK's retry falls due 20 ms into this window, and a spinning loop then fills the rest.
            long before = emitterLoopCpuNanos();
            long wallStart = System.nanoTime();
            Thread.sleep(1000); // the window over which the loop's CPU time is read
            long cpu = emitterLoopCpuNanos() - before;
            long wall = System.nanoTime() - wallStart;

            // A loop that re-arms an overdue wake-up uses nearly all of this; one that sleeps, next to nothing.
            assertThat(cpu).isLessThan(wall / 10);
            assertThat(fake.packets()).hasSize(2);
        }
    }

    /** CPU time used so far by the emitter's event-loop threads. */
    private static long emitterLoopCpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("emitter-io")) {
                sum += Math.max(0, threads.getThreadCpuTime(t.getId()));
            }
        }
        return sum;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
