package io.logdist.analyzer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.logdist.analyzer.record.RecordFile;
import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.testing.FrameModel;
import io.logdist.protocol.testing.Hex;
import io.logdist.protocol.testing.PacketModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class AnalyzerServerTest {
    private static final HostPort ANY_PORT = new HostPort("127.0.0.1", 0);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private AnalyzerServer start(AnalyzerConfig config) throws InterruptedException {
        AnalyzerServer server = AnalyzerServer.start(config);
        toClose.add(server);
        return server;
    }

    private TestDistributor handshake(AnalyzerServer server, long window) throws IOException {
        TestDistributor d = TestDistributor.handshake(server.port(), window);
        toClose.add(d);
        return d;
    }

    private TestDistributor connect(AnalyzerServer server) throws IOException {
        TestDistributor d = TestDistributor.connect(server.port());
        toClose.add(d);
        return d;
    }

    @Test
    void shouldWelcomeDistributorGrantingAtMostTheConfiguredWindow() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT).withWindow(16).withMaxFrameLength(4096));

        FrameModel.Welcome bigAsk = handshake(server, 100).welcome;
        FrameModel.Welcome smallAsk = handshake(server, 8).welcome;

        assertThat(bigAsk).isEqualTo(new FrameModel.Welcome(16, 4096, 0, "a1"));
        assertThat(smallAsk).isEqualTo(new FrameModel.Welcome(8, 4096, 0, "a1"));
    }

    @Test
    void shouldAckDeliveredPacketsCumulativelyAndCountThem() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor d = handshake(server, 64);

        d.deliver(1, Packets.packet(7, 1, 0, "alpha", "beta"))
            .deliver(2, Packets.packet(7, 2, 3, "gamma"))
            .deliver(3, Packets.packet(9, 1, 3, "delta", "epsilon", "zeta"))
            .send();

        assertThat(d.awaitAck(3)).isEqualTo(3);
        assertThat(d.seen).isEmpty();
        AnalyzerSnapshot s = server.snapshot();
        assertThat(s.name()).isEqualTo("a1");
        assertThat(s.packets()).isEqualTo(3);
        assertThat(s.messages()).isEqualTo(6);
        assertThat(s.bytes()).isEqualTo(Packets.payloadBytes("alpha", "beta", "gamma", "delta", "epsilon", "zeta"));
        assertThat(s.duplicates()).isZero();
        assertThat(s.badPackets()).isZero();
        assertThat(s.emitters()).containsExactly(
            Map.entry(7L, new AnalyzerSnapshot.EmitterCounts(2, 3)),
            Map.entry(9L, new AnalyzerSnapshot.EmitterCounts(1, 3)));
        assertThat(s.messagesByPriority()).containsExactly(Map.entry(0, 2L), Map.entry(3, 4L));
        assertThat(s.sequencesByEmitter().get(7L)).containsExactly(1, 2);
        assertThat(s.sequencesByEmitter().get(9L)).containsExactly(1);
    }

    @Test
    void shouldNackBadChecksumAndKeepTheConnectionWorking() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor d = handshake(server, 64);

        d.deliver(1, Packets.packet(7, 1, 0, "good"))
            .raw(Packets.deliverWithBadCrc(2, Packets.packet(7, 2, 0, "bad")))
            .send();
        assertThat(d.awaitAck(2)).isEqualTo(2);
        d.deliver(3, Packets.packet(7, 3, 0, "good again")).send();
        assertThat(d.awaitAck(3)).isEqualTo(3);

        assertThat(d.seen).singleElement().isInstanceOfSatisfying(FrameModel.Nack.class, nack -> {
            assertThat(nack.id()).isEqualTo(2);
            assertThat(nack.code()).isEqualTo(ErrorCode.BAD_CHECKSUM);
            assertThat(nack.code().value()).isEqualTo(4);
            assertThat(nack.retryAfterMillis()).isZero();
            assertThat(nack.reason()).isNotBlank();
        });
        AnalyzerSnapshot s = server.snapshot();
        assertThat(s.badPackets()).isEqualTo(1);
        assertThat(s.packets()).isEqualTo(2);
        assertThat(s.sequencesByEmitter().get(7L)).containsExactly(1, 3);
    }

    @Test
    void shouldNackPacketWithoutMessagesAsMalformed() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor d = handshake(server, 64);

        // The model writes a packet without messages as it is: count 0, with a right CRC.
        d.deliver(1, Packets.packet(7, 1, 0)).send();

        assertThat(d.awaitAck(1)).isEqualTo(1);
        assertThat(d.seen).singleElement().isInstanceOfSatisfying(FrameModel.Nack.class, nack -> {
            assertThat(nack.id()).isEqualTo(1);
            assertThat(nack.code()).isEqualTo(ErrorCode.MALFORMED_PACKET);
        });
        assertThat(server.snapshot().badPackets()).isEqualTo(1);
    }

    @Test
    void shouldCountARepeatedPacketAsDuplicateEvenOnAnotherConnection() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor first = handshake(server, 64);
        TestDistributor second = handshake(server, 64);
        PacketModel packet = Packets.packet(7, 1, 0, "once", "twice");

        first.deliver(1, packet).deliver(2, packet).send();
        first.awaitAck(2);
        second.deliver(1, packet).send();
        second.awaitAck(1);

        AnalyzerSnapshot s = server.snapshot();
        assertThat(s.packets()).isEqualTo(1);
        assertThat(s.messages()).isEqualTo(2);
        assertThat(s.duplicates()).isEqualTo(2);
        assertThat(s.emitters().get(7L)).isEqualTo(new AnalyzerSnapshot.EmitterCounts(1, 2));
    }

    @Test
    void shouldRecordEveryAcceptedPacketBeforeItsAck() throws Exception {
        Path records = dir.resolve("a1.rec");
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT).withRecordFile(records));
        TestDistributor d = handshake(server, 64);
        long before = WallClock.nowMicros();

        d.deliver(1, Packets.packet(7, 1, 0, "a", "b"))
            .raw(Packets.deliverWithBadCrc(2, Packets.packet(7, 2, 0, "bad")))
            .deliver(3, Packets.packet(7, 3, 0, "c"))
            .deliver(4, Packets.packet(7, 1, 0, "a", "b"))
            .send();
        d.awaitAck(4);

        // No waiting: the records must already be in the file when the ACK arrives.
        List<RecordFile.Entry> entries = RecordFile.readAll(records);
        assertThat(entries).extracting(RecordFile.Entry::emitterId, RecordFile.Entry::sequence, RecordFile.Entry::count)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple(7L, 1L, 2L),
                org.assertj.core.groups.Tuple.tuple(7L, 3L, 1L),
                org.assertj.core.groups.Tuple.tuple(7L, 1L, 2L));
        assertThat(entries).allSatisfy(e ->
            assertThat(e.receivedAtMicros()).isBetween(before, WallClock.nowMicros()));
        assertThat(Files.size(records)).isEqualTo(3 * 28);
    }

    @Test
    void shouldAppendToAnExistingRecordFileAfterARestart() throws Exception {
        Path records = dir.resolve("a1.rec");
        AnalyzerConfig config = AnalyzerConfig.defaults("a1", ANY_PORT).withRecordFile(records);
        try (AnalyzerServer first = AnalyzerServer.start(config);
             TestDistributor d = TestDistributor.handshake(first.port(), 8)) {
            d.deliver(1, Packets.packet(7, 1, 0, "x")).send();
            d.awaitAck(1);
        }
        try (AnalyzerServer second = AnalyzerServer.start(config);
             TestDistributor d = TestDistributor.handshake(second.port(), 8)) {
            d.deliver(1, Packets.packet(7, 2, 0, "y")).send();
            d.awaitAck(1);
        }

        assertThat(RecordFile.readAll(records)).extracting(RecordFile.Entry::sequence).containsExactly(1L, 2L);
    }

    @Test
    void shouldWriteTheReportPeriodicallyAndAtClose() throws Exception {
        Path report = dir.resolve("a1.json");
        AnalyzerServer server = AnalyzerServer.start(AnalyzerConfig.defaults("a1", ANY_PORT)
            .withReportFile(report).withReportInterval(Duration.ofMillis(50)));
        toClose.add(server);
        TestDistributor d = handshake(server, 64);
        d.deliver(1, Packets.packet(7, 1, 5, "one", "two"))
            .raw(Packets.deliverWithBadCrc(2, Packets.packet(7, 2, 5, "bad")))
            .send();
        d.awaitAck(2);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
            assertThat(readJson(report).path("packets").asLong()).isEqualTo(1));
        JsonNode json = readJson(report);
        assertThat(json.fieldNames()).toIterable().containsExactlyInAnyOrder(
            "name", "packets", "messages", "bytes", "duplicates", "bad_packets", "emitters", "priorities",
            "uptime_s", "messages_per_s");
        assertThat(json.get("name").asText()).isEqualTo("a1");
        assertThat(json.get("messages").asLong()).isEqualTo(2);
        assertThat(json.get("bytes").asLong()).isEqualTo(6);
        assertThat(json.get("bad_packets").asLong()).isEqualTo(1);
        assertThat(json.at("/emitters/7/packets").asLong()).isEqualTo(1);
        assertThat(json.at("/emitters/7/messages").asLong()).isEqualTo(2);
        assertThat(json.at("/priorities/5").asLong()).isEqualTo(2);

        d.deliver(3, Packets.packet(7, 3, 5, "three")).send();
        d.awaitAck(3);
        server.close();
        assertThat(readJson(report).get("packets").asLong()).isEqualTo(2);
        assertThat(dir.resolve("a1.json.tmp")).doesNotExist();
    }

    private static JsonNode readJson(Path file) throws IOException {
        return Files.exists(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
    }

    @Test
    void shouldSendErrorAndCloseWhenNoHelloArrives() throws Exception {
        AnalyzerServer server = AnalyzerServer.start(AnalyzerConfig.defaults("a1", ANY_PORT), Duration.ofMillis(200));
        toClose.add(server);
        TestDistributor d = connect(server);

        FrameModel f = d.next();

        assertThat(f).isInstanceOfSatisfying(FrameModel.Error.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
        assertThat(d.closedByPeer()).isTrue();
    }

    @Test
    void shouldRejectAFirstFrameThatIsNotHello() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor d = connect(server);

        d.frame(new FrameModel.Ping(5)).send();

        assertProtocolErrorThenClose(d, ErrorCode.PROTOCOL_VIOLATION);
    }

    @Test
    void shouldRejectAnEmitterSayingHello() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor d = connect(server);

        d.frame(new FrameModel.Hello(Frames.ROLE_EMITTER, 1, 16, "e", "")).send();

        assertProtocolErrorThenClose(d, ErrorCode.PROTOCOL_VIOLATION);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void shouldRefuseNewConnectionsOnceItCannotRecord() throws Exception {
        // /dev/full takes the open and fails every write, like a full disk.
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT).withRecordFile(Path.of("/dev/full")));
        TestDistributor first = handshake(server, 8);
        first.deliver(1, Packets.packet(7, 1, 0, "lost to the disk")).send();
        assertThat(first.closedByPeer()).as("dropped without an ACK").isTrue();

        TestDistributor next = connect(server);
        next.frame(new FrameModel.Hello(Frames.ROLE_DISTRIBUTOR, 1, 8, "d", "")).send();

        // Not WELCOME, which would only make the distributor's link flap.
        assertProtocolErrorThenClose(next, ErrorCode.SHUTTING_DOWN);
    }

    @Test
    void shouldKeepEverySequenceForASnapshotAfterClose() throws Exception {
        // close() takes the totals only; the sequences are still there for whoever asks.
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor d = handshake(server, 8);
        d.deliver(1, Packets.packet(7, 1, 0, "one")).deliver(2, Packets.packet(7, 2, 0, "two")).send();
        d.awaitAck(2);

        server.close();

        assertThat(server.snapshot().packets()).isEqualTo(2);
        assertThat(server.snapshot().sequencesByEmitter().get(7L)).containsExactly(1, 2);
        // What the shutdown hook prints from: the totals, with no copy of the sequences.
        assertThat(server.totals().packets()).isEqualTo(2);
        assertThat(server.totals().sequencesByEmitter()).isEmpty();
    }

    @Test
    void shouldRejectAHelloAskingForAWindowOfZero() throws Exception {
        // A window of 0 could never carry a DELIVER: docs/protocol.md makes it a violation.
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor d = connect(server);

        d.frame(new FrameModel.Hello(Frames.ROLE_DISTRIBUTOR, 1, 0, "d", "")).send();

        assertProtocolErrorThenClose(d, ErrorCode.PROTOCOL_VIOLATION);
    }

    @Test
    void shouldRejectAFrameLongerThanMaxFrameLengthWithoutReadingIt() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT).withMaxFrameLength(1024));
        TestDistributor d = handshake(server, 8);

        // Built by hand: only the header of a DELIVER whose length field (4096) is over the limit.
        d.raw(Hex.decode("00 00 10 00  01 04 00 00")).send();

        assertProtocolErrorThenClose(d, ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void shouldRejectATruncatedFrameBodyAsMalformed() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor d = handshake(server, 8);

        // Built by hand, as no model writes it: a PING whose body is 4 bytes instead of 8.
        d.raw(Hex.decode("00 00 00 08  01 07 00 00  01 02 03 04")).send();

        assertProtocolErrorThenClose(d, ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void shouldRejectDeliveryIdsOutOfOrderAfterAckingTheGoodOnes() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor d = handshake(server, 8);

        d.deliver(1, Packets.packet(7, 1, 0, "x")).deliver(3, Packets.packet(7, 2, 0, "y")).send();

        assertThat(d.awaitAck(1)).isEqualTo(1);
        assertProtocolErrorThenClose(d, ErrorCode.PROTOCOL_VIOLATION);
        assertThat(server.snapshot().packets()).isEqualTo(1);
    }

    @Test
    void shouldAnswerPingWithPongAndIgnoreGoodbye() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor d = handshake(server, 8);

        d.frame(new FrameModel.Ping(0xCAFEL)).send();
        FrameModel pong = d.next();
        d.frame(new FrameModel.Goodbye()).frame(new FrameModel.Ping(2)).send();
        FrameModel second = d.next();

        assertThat(pong).isEqualTo(new FrameModel.Pong(0xCAFEL));
        assertThat(second).isEqualTo(new FrameModel.Pong(2));
    }

    @Test
    void shouldCloseWhenThePeerSendsError() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor d = handshake(server, 8);

        d.frame(new FrameModel.Error(ErrorCode.SHUTTING_DOWN, "bye")).send();

        assertThat(d.closedByPeer()).isTrue();
        assertThat(d.seen).isEmpty();
    }

    @Test
    void shouldDropEveryConnectionAtCloseAndKeepTheLastSnapshot() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));
        TestDistributor d = handshake(server, 8);
        d.deliver(1, Packets.packet(7, 1, 0, "x")).send();
        d.awaitAck(1);

        server.close();

        assertThat(d.closedByPeer()).isTrue();
        assertThat(server.snapshot().packets()).isEqualTo(1);
        assertThatThrownBy(() -> TestDistributor.connect(server.port()).close()).isInstanceOf(IOException.class);
        server.close();
    }

    @Test
    void shouldSayInOneLineThatThePortIsTaken() throws Exception {
        AnalyzerServer server = start(AnalyzerConfig.defaults("a1", ANY_PORT));

        assertThatThrownBy(() -> AnalyzerServer.start(AnalyzerConfig.defaults("a2", new HostPort("127.0.0.1", server.port()))))
            .isInstanceOf(java.io.UncheckedIOException.class)
            .hasMessage("cannot listen on 127.0.0.1:" + server.port() + ": address already in use");
    }

    private static void assertProtocolErrorThenClose(TestDistributor d, ErrorCode code) throws IOException {
        FrameModel f = d.next();
        while (f instanceof FrameModel.Ack) {
            f = d.next();
        }
        assertThat(f).isInstanceOfSatisfying(FrameModel.Error.class, e -> assertThat(e.code()).isEqualTo(code));
        assertThat(d.closedByPeer()).isTrue();
    }
}
