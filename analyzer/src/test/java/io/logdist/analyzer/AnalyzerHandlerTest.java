package io.logdist.analyzer;

import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameDecoder;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.testing.FrameDecoderHarness;
import io.logdist.protocol.testing.FrameModel;
import io.logdist.protocol.testing.PacketModel;
import io.logdist.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;

import static io.logdist.analyzer.Packets.packet;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The handler alone on an {@link EmbeddedChannel}, where one {@code writeInbound} is
 * exactly one read burst: what is ACKed when is deterministic here. Every buffer, the
 * decoder's included, comes from a {@link TrackingAllocator}, so each test also checks
 * that the handler released all it was given.
 */
class AnalyzerHandlerTest {
    private final AnalyzerConfig config = AnalyzerConfig.defaults("a1", new HostPort("127.0.0.1", 0)).withWindow(2);
    private final AnalyzerCounters counters = new AnalyzerCounters("a1");
    private final TrackingAllocator alloc = new TrackingAllocator();
    /** Splits what the handler writes back into frames with the real decoder. */
    private final FrameDecoderHarness answers = new FrameDecoderHarness(alloc, config.maxFrameLength());
    private EmbeddedChannel channel;

    @BeforeEach
    void connect() {
        channel = new EmbeddedChannel(new FrameDecoder(config.maxFrameLength()),
            new AnalyzerHandler(config, counters, null, Duration.ofSeconds(5)));
        channel.config().setAllocator(alloc);
        burst(new FrameModel.Hello(Frames.ROLE_DISTRIBUTOR, 1, 100, "d", "").toBytes());
        assertThat(outbound()).containsExactly(new FrameModel.Welcome(2, config.maxFrameLength(), 0, "a1"));
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        answers.close();
        alloc.assertAllReleased();
    }

    @Test
    void shouldAnswerABurstWithOneCumulativeAck() {
        burst(deliver(1, packet(7, 1, 0, "a")), Packets.deliverWithBadCrc(2, packet(7, 2, 0, "b")));

        List<FrameModel> out = outbound();

        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isInstanceOfSatisfying(FrameModel.Nack.class, nack -> {
            assertThat(nack.id()).isEqualTo(2);
            assertThat(nack.code()).isEqualTo(ErrorCode.BAD_CHECKSUM);
        });
        assertThat(out.get(1)).isEqualTo(new FrameModel.Ack(2));
    }

    @Test
    void shouldRejectADeliverOverTheGrantedWindow() {
        burst(deliver(1, packet(7, 1, 0, "a")), deliver(2, packet(7, 2, 0, "b")), deliver(3, packet(7, 3, 0, "c")));

        List<FrameModel> out = outbound();

        assertThat(out).hasSize(2);
        assertThat(out.get(0)).isEqualTo(new FrameModel.Ack(2));
        assertThat(out.get(1)).isInstanceOfSatisfying(FrameModel.Error.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
        assertThat(channel.isOpen()).isFalse();
        assertThat(counters.snapshot(false).packets()).isEqualTo(2);
    }

    @Test
    void shouldAllowAFullWindowAgainOnceAcked() {
        burst(deliver(1, packet(7, 1, 0, "a")), deliver(2, packet(7, 2, 0, "b")));
        assertThat(outbound()).containsExactly(new FrameModel.Ack(2));
        burst(deliver(3, packet(7, 3, 0, "c")), deliver(4, packet(7, 4, 0, "d")));

        assertThat(outbound()).containsExactly(new FrameModel.Ack(4));
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void shouldRejectADeliverAfterGoodbye() {
        burst(new FrameModel.Goodbye().toBytes(), deliver(1, packet(7, 1, 0, "a")));

        assertThat(outbound()).singleElement().isInstanceOfSatisfying(FrameModel.Error.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
        assertThat(counters.snapshot(false).packets()).isZero();
    }

    private static byte[] deliver(long deliveryId, PacketModel packet) {
        return new FrameModel.Deliver(deliveryId, packet).toBytes();
    }

    /** Writes the frames to the handler in one buffer: one read burst. */
    private void burst(byte[]... frames) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            bytes.writeBytes(f);
        }
        channel.writeInbound(alloc.copyOf(bytes.toByteArray()));
    }

    /** Every frame written since the last call. */
    private List<FrameModel> outbound() {
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            try {
                answers.feed(ByteBufUtil.getBytes(b));
            } finally {
                b.release();
            }
        }
        return answers.frames();
    }
}
