package io.logdist.analyzer;

import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameDecoder;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.FrameType;
import io.logdist.protocol.codec.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The handler alone on an {@link EmbeddedChannel}, where one {@code writeInbound} is
 * exactly one read burst: what is ACKed when is deterministic here.
 */
class AnalyzerHandlerTest {
    private final AnalyzerConfig config = AnalyzerConfig.defaults("a1", new HostPort("127.0.0.1", 0)).withWindow(2);
    private final AnalyzerCounters counters = new AnalyzerCounters("a1");
    private EmbeddedChannel channel;

    @BeforeEach
    void connect() {
        channel = new EmbeddedChannel(new FrameDecoder(config.maxFrameLength()),
            new AnalyzerHandler(config, counters, null, Duration.ofSeconds(5)));
        burst(b -> Frames.writeHello(b, Frames.ROLE_DISTRIBUTOR, 1, 100, "d", ""));
        assertThat(outbound()).extracting(f -> f.type()).containsExactly(FrameType.WELCOME);
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldAnswerABurstWithOneCumulativeAck() {
        burst(b -> {
            deliver(b, 1, Packets.packet(7, 1, 0, "a"));
            deliver(b, 2, Packets.withBadCrc(Packets.packet(7, 2, 0, "b")));
        });

        List<TestDistributor.Frame> out = outbound();

        assertThat(out).extracting(TestDistributor.Frame::type).containsExactly(FrameType.NACK, FrameType.ACK);
        assertThat(out.get(1).u64()).isEqualTo(2);
    }

    @Test
    void shouldRejectADeliverOverTheGrantedWindow() {
        burst(b -> {
            deliver(b, 1, Packets.packet(7, 1, 0, "a"));
            deliver(b, 2, Packets.packet(7, 2, 0, "b"));
            deliver(b, 3, Packets.packet(7, 3, 0, "c"));
        });

        List<TestDistributor.Frame> out = outbound();

        assertThat(out).extracting(TestDistributor.Frame::type).containsExactly(FrameType.ACK, FrameType.ERROR);
        assertThat(out.get(0).u64()).isEqualTo(2);
        assertThat(out.get(1).read(FrameReader::error).code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
        assertThat(channel.isOpen()).isFalse();
        assertThat(counters.snapshot(false).packets()).isEqualTo(2);
    }

    @Test
    void shouldAllowAFullWindowAgainOnceAcked() {
        burst(b -> {
            deliver(b, 1, Packets.packet(7, 1, 0, "a"));
            deliver(b, 2, Packets.packet(7, 2, 0, "b"));
        });
        outbound();
        burst(b -> {
            deliver(b, 3, Packets.packet(7, 3, 0, "c"));
            deliver(b, 4, Packets.packet(7, 4, 0, "d"));
        });

        assertThat(outbound()).singleElement().satisfies(f -> assertThat(f.u64()).isEqualTo(4));
    }

    @Test
    void shouldRejectADeliverAfterGoodbye() {
        burst(b -> {
            Frames.writeGoodbye(b);
            deliver(b, 1, Packets.packet(7, 1, 0, "a"));
        });

        assertThat(outbound()).extracting(TestDistributor.Frame::type).containsExactly(FrameType.ERROR);
        assertThat(counters.snapshot(false).packets()).isZero();
    }

    private static void deliver(ByteBuf b, long deliveryId, byte[] packet) {
        Frames.writeDeliverHeader(b, deliveryId, packet.length);
        b.writeBytes(packet);
    }

    private void burst(java.util.function.Consumer<ByteBuf> frames) {
        ByteBuf b = Unpooled.buffer();
        frames.accept(b);
        channel.writeInbound(b);
    }

    /** Every frame written since the last call, split out of the outbound buffers. */
    private List<TestDistributor.Frame> outbound() {
        List<TestDistributor.Frame> frames = new ArrayList<>();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            try {
                while (b.isReadable()) {
                    int length = b.getInt(b.readerIndex());
                    byte[] frame = new byte[4 + length];
                    b.readBytes(frame);
                    frames.add(new TestDistributor.Frame(FrameType.of(frame[5] & 0xFF), frame));
                }
            } finally {
                b.release();
            }
        }
        return frames;
    }
}
