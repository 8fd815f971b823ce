package io.logdist.distributor.spec;

import io.logdist.distributor.Distributor;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.protocol.cli.HostPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The distributor against an emitter and an analyzer written from the spec alone
 * ({@link RawLdp}): handshake, ACK only once the analyzer has the packet, NACK 4 for a bad
 * checksum with the connection going on, duplicates ACKed and not delivered twice, and
 * ERROR + close for frames that cannot be trusted.
 */
class SpecConformanceTest {
    private RawAnalyzer analyzer;
    private Distributor distributor;

    @BeforeEach
    void start() throws Exception {
        analyzer = new RawAnalyzer();
        distributor = Distributor.start(DistributorConfig.of(new HostPort("127.0.0.1", 0),
            List.of(new AnalyzerSpec("raw", new HostPort("127.0.0.1", analyzer.port()), 1.0))).withThreads(2));
        await().atMost(Duration.ofSeconds(10)).until(() -> distributor.links().get(0).allConnectionsUp());
    }

    @AfterEach
    void stop() throws Exception {
        distributor.close();
        analyzer.close();
    }

    private Socket connect() throws Exception {
        Socket s = new Socket("127.0.0.1", distributor.emitterAddress().getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    private static RawLdp.Frame handshake(Socket s, long emitterId, int window) throws Exception {
        RawLdp.writeFrame(s.getOutputStream(), RawLdp.HELLO, RawLdp.hello(1, emitterId, window, "raw-emitter", ""));
        RawLdp.Frame welcome = RawLdp.readFrame(s.getInputStream());
        assertThat(welcome.type()).isEqualTo(RawLdp.WELCOME);
        return welcome;
    }

    /** Reads frames until an ACK covering {@code through}; returns the NACKs' ids and codes seen on the way. */
    private static List<long[]> readUntilAck(InputStream in, long through) throws Exception {
        List<long[]> nacks = new java.util.ArrayList<>();
        while (true) {
            RawLdp.Frame f = RawLdp.readFrame(in);
            assertThat(f).as("connection closed before ACK %d", through).isNotNull();
            if (f.type() == RawLdp.ACK && f.u64At(0) >= through) {
                return nacks;
            }
            if (f.type() == RawLdp.NACK) {
                nacks.add(new long[]{f.u64At(0), f.u16At(8)});
            }
        }
    }

    /** The distributor closed the connection: end of stream, or a reset if it closed with bytes unread. */
    private static void assertClosed(Socket s) throws Exception {
        try {
            assertThat(RawLdp.readFrame(s.getInputStream())).as("no frame after ERROR").isNull();
        } catch (java.net.SocketException e) {
            assertThat(e.getMessage()).contains("reset");
        }
    }

    /** Sequences 1 and 3 well formed, 2 with a bad CRC between them (NACK code 4), each with message {@code text[i]}. */
    private static void sendGoodBadGood(OutputStream out, long emitterId, String... text) throws Exception {
        RawLdp.writeFrame(out, RawLdp.PACKET, RawLdp.packet(emitterId, 1, 0, text[0]));
        byte[] bad = RawLdp.packet(emitterId, 2, 0, text[1]);
        bad[bad.length - 1] ^= 0x20;
        RawLdp.writeFrame(out, RawLdp.PACKET, bad);
        RawLdp.writeFrame(out, RawLdp.PACKET, RawLdp.packet(emitterId, 3, 0, text[2]));
    }

    /** A distributor on 127.0.0.1 with one event loop, feeding only {@code only}. */
    private static DistributorConfig.Builder feeding(RawAnalyzer only) {
        return DistributorConfig.of(new HostPort("127.0.0.1", 0),
            List.of(new AnalyzerSpec("only", new HostPort("127.0.0.1", only.port()), 1.0))).toBuilder().threads(1);
    }

    @Test
    void shouldWelcomeAnEmitterWithItsWindowAndNothingAckedYet() throws Exception {
        try (Socket s = connect()) {
            RawLdp.Frame welcome = handshake(s, 11, 64);
            DataInputStream in = welcome.in();
            assertThat(welcome.version()).isEqualTo(1);
            assertThat(welcome.flags()).isZero();
            assertThat(in.readInt()).isEqualTo(64);
            // 1 MiB less the 8 bytes of deliveryId: the DELIVER of the largest packet taken fits an analyzer's default 1 MiB.
            assertThat(in.readInt()).isEqualTo((1 << 20) - 8);
            assertThat(in.readLong()).isZero();
            assertThat(RawLdp.readStr(in)).isEqualTo("logdist");
            assertThat(in.available()).isZero();
        }
    }

    @Test
    void shouldAckPacketsOnceTheAnalyzerHasThemAndDeliverThemVerbatim() throws Exception {
        try (Socket s = connect()) {
            handshake(s, 12, 64);
            OutputStream out = s.getOutputStream();
            for (int seq = 1; seq <= 200; seq++) {
                RawLdp.writeFrame(out, RawLdp.PACKET, RawLdp.packet(12, seq, seq % 4, "line " + seq, "second", "third"));
                if (seq % 50 == 0) {
                    readUntilAck(s.getInputStream(), seq);
                }
            }
            for (int seq = 1; seq <= 200; seq++) {
                assertThat(analyzer.received).contains("12/" + seq);
            }
            assertThat(analyzer.badCrc.get()).isZero();
            assertThat(analyzer.helloRole.get()).isEqualTo(2);
        }
    }

    @Test
    void shouldNackABadChecksumWithCode4AndKeepTheConnectionWorking() throws Exception {
        try (Socket s = connect()) {
            handshake(s, 13, 64);
            sendGoodBadGood(s.getOutputStream(), 13, "good", "corrupted", "good again");
            List<long[]> nacks = readUntilAck(s.getInputStream(), 3);
            assertThat(nacks).hasSize(1);
            assertThat(nacks.get(0)).containsExactly(2, 4);
            assertThat(analyzer.received).contains("13/1", "13/3").doesNotContain("13/2");
        }
    }

    @Test
    void shouldDeliverARefusedPacketSentAgainUnderItsOwnSequenceAndAckItAfterwards() throws Exception {
        // "The sender may send that packet again later, with the same sequence": once it is
        // safe, an ACK covering it must follow, even though the cursor had already passed it.
        try (Socket s = connect()) {
            handshake(s, 19, 64);
            sendGoodBadGood(s.getOutputStream(), 19, "one", "two", "three");
            assertThat(readUntilAck(s.getInputStream(), 3)).hasSize(1);

            RawLdp.writeFrame(s.getOutputStream(), RawLdp.PACKET, RawLdp.packet(19, 2, 0, "two"));

            assertThat(readUntilAck(s.getInputStream(), 3)).isEmpty();
            assertThat(analyzer.received).contains("19/1", "19/2", "19/3");
        }
    }

    @Test
    void shouldDeliverTheLargestPacketItAnnouncesToAnAnalyzerAtTheDefaultLimit() throws Exception {
        try (Socket s = connect()) {
            RawLdp.Frame welcome = handshake(s, 20, 64);
            DataInputStream body = welcome.in();
            body.readInt(); // window
            int maxFrameLength = body.readInt();
            // A frame of exactly maxFrameLength: 4 bytes of version/type/flags, the 32-byte packet header, one message.
            int messageBytes = maxFrameLength - 4 - 32 - 4;
            RawLdp.writeFrame(s.getOutputStream(), RawLdp.PACKET, RawLdp.packet(20, 1, 0, "x".repeat(messageBytes)));

            readUntilAck(s.getInputStream(), 1);

            assertThat(analyzer.received).contains("20/1");
            assertThat(analyzer.tooLong.get()).isZero();
        }
    }

    @Test
    void shouldNeverSendAnAnalyzerADeliverLongerThanItsAnnouncedMaxFrameLength(@TempDir Path deadLetters) throws Exception {
        try (RawAnalyzer small = new RawAnalyzer(4096);
             Distributor d = Distributor.start(feeding(small).maxRetries(1).deadLetterDir(deadLetters).build())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.links().get(0).allConnectionsUp());
            try (Socket s = new Socket("127.0.0.1", d.emitterAddress().getPort())) {
                s.setSoTimeout(10_000);
                handshake(s, 21, 64);
                OutputStream out = s.getOutputStream();
                RawLdp.writeFrame(out, RawLdp.PACKET, RawLdp.packet(21, 1, 0, "small"));
                RawLdp.writeFrame(out, RawLdp.PACKET, RawLdp.packet(21, 2, 0, "x".repeat(8000)));
                RawLdp.writeFrame(out, RawLdp.PACKET, RawLdp.packet(21, 3, 0, "small again"));

                // The large one cannot go anywhere: it ends in the dead-letter file, which makes it safe.
                readUntilAck(s.getInputStream(), 3);
            }
            assertThat(small.tooLong.get()).isZero();
            assertThat(small.received).contains("21/1", "21/3").doesNotContain("21/2");
            try (var files = Files.list(deadLetters)) {
                assertThat(files.toList()).hasSize(1);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void shouldHoldOffAnAnalyzerForTheRetryAfterOfItsNack(int threads, @TempDir Path deadLetters) throws Exception {
        // "The sender may send that packet again later ... after retryAfterMillis": an
        // overloaded analyzer is not sent the packet again at once, over any of its
        // connections (with two event loops it has two), and a short overload does not use up
        // the packet's retries and send it to the dead-letter file.
        try (RawAnalyzer busy = new RawAnalyzer();
             Distributor d = Distributor.start(feeding(busy).threads(threads).maxRetries(1).deadLetterDir(deadLetters).build())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.links().get(0).allConnectionsUp());
            busy.nackRetryAfterMillis = 400;
            busy.nacksLeft.set(2);
            try (Socket s = new Socket("127.0.0.1", d.emitterAddress().getPort())) {
                s.setSoTimeout(10_000);
                handshake(s, 24, 64);
                RawLdp.writeFrame(s.getOutputStream(), RawLdp.PACKET, RawLdp.packet(24, 1, 0, "busy"));

                readUntilAck(s.getInputStream(), 1);
            }
            assertThat(busy.received).contains("24/1");
            List<Long> at = busy.deliveredAtNanos;
            assertThat(at).as("two refusals, then the delivery that took").hasSize(3);
            for (int i = 1; i < at.size(); i++) {
                // A slow machine only makes the gap longer: this cannot pass by luck.
                assertThat(TimeUnit.NANOSECONDS.toMillis(at.get(i) - at.get(i - 1))).as("ms from DELIVER %d to the next", i)
                    .isGreaterThanOrEqualTo(390);
            }
            assertThat(d.deadLetters()).isZero();
        }
    }

    @Test
    void shouldSayGoodbyeToAnEmitterWhoseHelloArrivesDuringTheShutdown() throws Exception {
        // Emitter 25's packet is held (its analyzer asked for a second), so the shutdown
        // drains; emitter 26 connected before the shutdown began but says HELLO during it.
        try (RawAnalyzer busy = new RawAnalyzer();
             Distributor d = Distributor.start(feeding(busy).build())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.links().get(0).allConnectionsUp());
            busy.nackRetryAfterMillis = 1_000;
            busy.nacksLeft.set(1);
            try (Socket held = new Socket("127.0.0.1", d.emitterAddress().getPort());
                 Socket late = new Socket("127.0.0.1", d.emitterAddress().getPort())) {
                held.setSoTimeout(10_000);
                late.setSoTimeout(10_000);
                handshake(held, 25, 64);
                RawLdp.writeFrame(held.getOutputStream(), RawLdp.PACKET, RawLdp.packet(25, 1, 0, "held"));
                await().atMost(Duration.ofSeconds(5)).until(() -> busy.deliveredAtNanos.size() == 1);

                Thread shutdown = new Thread(() -> d.shutdownGracefully(Duration.ofSeconds(5)));
                shutdown.start();
                assertThat(RawLdp.readFrame(held.getInputStream()).type()).isEqualTo(RawLdp.GOODBYE);

                handshake(late, 26, 64);
                assertThat(RawLdp.readFrame(late.getInputStream()).type()).as("the shutdown, told at once").isEqualTo(RawLdp.GOODBYE);
                RawLdp.writeFrame(late.getOutputStream(), RawLdp.PACKET, RawLdp.packet(26, 1, 0, "too late"));
                RawLdp.Frame f = RawLdp.readFrame(late.getInputStream());
                assertThat(f.type()).isEqualTo(RawLdp.NACK);
                assertThat(f.u64At(0)).isEqualTo(1);
                assertThat(f.u16At(8)).as("SHUTTING_DOWN").isEqualTo(11);

                readUntilAck(held.getInputStream(), 1);
                shutdown.join(10_000);
            }
            assertThat(busy.received).contains("25/1").doesNotContain("26/1");
        }
    }

    @Test
    void shouldDialAnAnalyzerByHostName() throws Exception {
        // Names are looked up off the event loops (HostResolver); the connect goes on on the loop.
        try (RawAnalyzer named = new RawAnalyzer();
             Distributor d = Distributor.start(DistributorConfig.of(new HostPort("127.0.0.1", 0),
                 List.of(new AnalyzerSpec("named", new HostPort("localhost", named.port()), 1.0))).withThreads(2))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> d.links().get(0).allConnectionsUp());
            assertThat(named.helloRole.get()).isEqualTo(2);
        }
    }

    @Test
    void shouldAnswerASequenceAboveTwoToTheSixtyThreeWithError10() throws Exception {
        // u64 sequences are unsigned: 2^63 is far beyond the window, not a negative duplicate.
        try (Socket s = connect()) {
            handshake(s, 22, 64);
            RawLdp.writeFrame(s.getOutputStream(), RawLdp.PACKET, RawLdp.packet(22, 1, 0, "one"));
            readUntilAck(s.getInputStream(), 1);
            RawLdp.writeFrame(s.getOutputStream(), RawLdp.PACKET, RawLdp.packet(22, Long.MIN_VALUE, 0, "far"));
            RawLdp.Frame f = RawLdp.readFrame(s.getInputStream());
            assertThat(f.type()).isEqualTo(RawLdp.ERROR);
            assertThat(f.u16At(0)).isEqualTo(10);
            assertClosed(s);
        }
        assertThat(analyzer.received).contains("22/1").hasSize(1);
    }

    @Test
    void shouldRefuseAnAnalyzerThatGrantsAWindowOfZero() throws Exception {
        try (RawAnalyzer closed = new RawAnalyzer(1 << 20, 0);
             Distributor d = Distributor.start(feeding(closed).build())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> closed.errorReceived.get() == 10);
            assertThat(d.links().get(0).allConnectionsUp()).isFalse();
        }
    }

    @Test
    void shouldNackARecentRefusalAgainOnTheNextConnectionBeforeAnyAckCoversIt() throws Exception {
        try (Socket s = connect()) {
            handshake(s, 23, 64);
            sendGoodBadGood(s.getOutputStream(), 23, "one", "two", "three");
            readUntilAck(s.getInputStream(), 3);
        }
        // An emitter that lost that connection's NACK must not take WELCOME or an ACK as settling 2.
        try (Socket s = connect()) {
            RawLdp.Frame welcome = handshake(s, 23, 64);
            assertThat(welcome.u64At(8)).as("ackedThrough stops below the refusal").isEqualTo(1);
            RawLdp.Frame next = RawLdp.readFrame(s.getInputStream());
            assertThat(next.type()).isEqualTo(RawLdp.NACK);
            assertThat(next.u64At(0)).isEqualTo(2);
            assertThat(next.u16At(8)).isEqualTo(4);
        }
    }

    @Test
    void shouldNackAMalformedPacketWithCode5() throws Exception {
        try (Socket s = connect()) {
            handshake(s, 14, 64);
            byte[] p = RawLdp.packet(14, 1, 0, "abc");
            // Claim two messages where there is one, and fix the CRC so only the shape is wrong.
            java.nio.ByteBuffer.wrap(p).putShort(30, (short) 2);
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(p, 4, p.length - 4);
            java.nio.ByteBuffer.wrap(p).putInt(0, (int) crc.getValue());
            RawLdp.writeFrame(s.getOutputStream(), RawLdp.PACKET, p);
            RawLdp.writeFrame(s.getOutputStream(), RawLdp.PACKET, RawLdp.packet(14, 2, 0, "fine"));
            List<long[]> nacks = readUntilAck(s.getInputStream(), 2);
            assertThat(nacks).hasSize(1);
            assertThat(nacks.get(0)).containsExactly(1, 5);
        }
    }

    @Test
    void shouldAckADuplicateAgainWithoutDeliveringItTwice() throws Exception {
        try (Socket s = connect()) {
            handshake(s, 15, 64);
            RawLdp.writeFrame(s.getOutputStream(), RawLdp.PACKET, RawLdp.packet(15, 1, 0, "once"));
            readUntilAck(s.getInputStream(), 1);
            RawLdp.writeFrame(s.getOutputStream(), RawLdp.PACKET, RawLdp.packet(15, 1, 0, "once"));
            readUntilAck(s.getInputStream(), 1);
        }
        assertThat(distributor.ingestStats().duplicates.sum()).isEqualTo(1);
        assertThat(distributor.links().get(0).packetsDelivered()).isEqualTo(1);
    }

    @Test
    void shouldTellAReconnectingEmitterWhatItAlreadyHolds() throws Exception {
        try (Socket s = connect()) {
            handshake(s, 16, 64);
            for (int seq = 1; seq <= 5; seq++) {
                RawLdp.writeFrame(s.getOutputStream(), RawLdp.PACKET, RawLdp.packet(16, seq, 0, "m" + seq));
            }
            readUntilAck(s.getInputStream(), 5);
        }
        try (Socket s = connect()) {
            RawLdp.Frame welcome = handshake(s, 16, 64);
            assertThat(welcome.u64At(8)).isEqualTo(5);
        }
    }

    @Test
    void shouldAnswerAnOverLengthFrameWithError3AndClose() throws Exception {
        try (Socket s = connect()) {
            handshake(s, 17, 64);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt((1 << 20) + 1);
            out.writeInt(0x01030000);
            out.flush();
            RawLdp.Frame error = RawLdp.readFrame(s.getInputStream());
            assertThat(error.type()).isEqualTo(RawLdp.ERROR);
            assertThat(error.u16At(0)).isEqualTo(3);
            assertClosed(s);
        }
    }

    @Test
    void shouldAnswerAPacketBeforeHelloWithError10AndClose() throws Exception {
        try (Socket s = connect()) {
            RawLdp.writeFrame(s.getOutputStream(), RawLdp.PACKET, RawLdp.packet(18, 1, 0, "too early"));
            RawLdp.Frame error = RawLdp.readFrame(s.getInputStream());
            assertThat(error.type()).isEqualTo(RawLdp.ERROR);
            assertThat(error.u16At(0)).isEqualTo(10);
            assertClosed(s);
        }
    }

    @Test
    void shouldAnswerAnUnknownVersionWithError2() throws Exception {
        try (Socket s = connect()) {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(4);
            out.writeInt(0x02010000);
            out.flush();
            RawLdp.Frame error = RawLdp.readFrame(s.getInputStream());
            assertThat(error.type()).isEqualTo(RawLdp.ERROR);
            assertThat(error.u16At(0)).isEqualTo(2);
        }
    }

    @Test
    void shouldAnswerPingWithPong() throws Exception {
        try (Socket s = connect()) {
            handshake(s, 19, 8);
            RawLdp.writeFrame(s.getOutputStream(), RawLdp.PING, RawLdp.u64(0xCAFEL));
            RawLdp.Frame pong = RawLdp.readFrame(s.getInputStream());
            assertThat(pong.type()).isEqualTo(RawLdp.PONG);
            assertThat(pong.u64At(0)).isEqualTo(0xCAFEL);
        }
    }

    @Test
    void shouldCloseAConnectionThatNeverSaysHello() throws Exception {
        try (Socket s = connect()) {
            RawLdp.Frame error = RawLdp.readFrame(s.getInputStream());
            assertThat(error.type()).isEqualTo(RawLdp.ERROR);
            assertThat(error.u16At(0)).isEqualTo(10);
        }
    }
}
