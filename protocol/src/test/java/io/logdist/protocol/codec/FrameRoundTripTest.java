package io.logdist.protocol.codec;

import io.logdist.protocol.testing.FrameDecoderHarness;
import io.logdist.protocol.testing.FrameModel;
import io.logdist.protocol.testing.PacketModel;
import io.logdist.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.EnumSet;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every frame type written with {@link Frames}, cut out of the stream by
 * {@link FrameDecoder} in an {@code EmbeddedChannel} and read back with
 * {@link FrameReader}: whole, one byte at a time, and many frames in one buffer.
 */
class FrameRoundTripTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void everyBufferIsReleased() {
        alloc.assertAllReleased();
    }

    static List<FrameModel> everyFrameType() {
        PacketModel packet = new PacketModel(0xCAFEL, 42, 1_700_000_000_000_000L, 255, List.of(
            "first line".getBytes(StandardCharsets.UTF_8), new byte[0], new byte[] {0, -1, 0x7f, -128}));
        return List.of(
            new FrameModel.Hello(Frames.ROLE_EMITTER, -2L, 0xFFFFFFFFL, "émetteur 🙂", ""),
            new FrameModel.Welcome(16, FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH, Long.MAX_VALUE, "distributor-1"),
            new FrameModel.Packet(packet),
            new FrameModel.Deliver(-1L, packet),
            new FrameModel.Ack(0),
            new FrameModel.Nack(7, ErrorCode.RATE_LIMITED, 0xFFFFFFFFL, "slow down"),
            new FrameModel.Ping(Long.MIN_VALUE),
            new FrameModel.Pong(Long.MIN_VALUE),
            new FrameModel.Error(ErrorCode.UNAUTHORIZED, "bad token"),
            new FrameModel.Goodbye());
    }

    @Test
    void shouldCoverEveryFrameType() {
        assertThat(everyFrameType()).extracting(FrameModel::type)
            .containsExactlyInAnyOrderElementsOf(EnumSet.complementOf(EnumSet.of(FrameType.UNKNOWN)));
    }

    @ParameterizedTest
    @MethodSource("everyFrameType")
    void shouldRoundTripWholeFrame(FrameModel frame) {
        try (FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH)) {
            decoder.feed(frame.toBytes());
            assertThat(decoder.frames()).containsExactly(frame);
        }
    }

    @ParameterizedTest
    @MethodSource("everyFrameType")
    void shouldRoundTripFrameFedOneByteAtATime(FrameModel frame) {
        byte[] bytes = frame.toBytes();
        try (FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH)) {
            for (int i = 0; i < bytes.length - 1; i++) {
                decoder.feed(new byte[] {bytes[i]});
                assertThat(decoder.outputs()).as("output after %d of %d bytes", i + 1, bytes.length).isEmpty();
            }
            decoder.feed(new byte[] {bytes[bytes.length - 1]});
            assertThat(decoder.frames()).containsExactly(frame);
        }
    }

    @Test
    void shouldDecodeEveryFrameTypeFromOneBuffer() {
        try (FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH)) {
            decoder.feed(concat(everyFrameType()));
            assertThat(decoder.frames()).containsExactlyElementsOf(everyFrameType());
        }
    }

    @Test
    void shouldDecodeEveryFrameTypeFromAStreamFedOneByteAtATime() {
        try (FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH)) {
            decoder.feedOneByteAtATime(concat(everyFrameType()));
            assertThat(decoder.frames()).containsExactlyElementsOf(everyFrameType());
        }
    }

    @Test
    void shouldDecodeAFrameCompletedByTheBufferThatStartsTheNext() {
        byte[] stream = concat(List.of(new FrameModel.Ping(1), new FrameModel.Pong(2), new FrameModel.Goodbye()));
        try (FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH)) {
            decoder.feedCutAt(stream, List.of(10, 20));
            assertThat(decoder.frames()).containsExactly(new FrameModel.Ping(1), new FrameModel.Pong(2), new FrameModel.Goodbye());
        }
    }

    @Test
    void shouldAcceptAFrameOfExactlyMaxFrameLength() {
        // length 12 = version, type, flags and an 8-byte ACK body
        try (FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, 12)) {
            decoder.feed(new FrameModel.Ack(9).toBytes());
            assertThat(decoder.frames()).containsExactly(new FrameModel.Ack(9));
        }
    }

    @Test
    void shouldReadFieldsWithoutConsumingTheFrame() {
        try (FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH)) {
            decoder.feed(new FrameModel.Nack(3, ErrorCode.NO_ANALYZERS, 100, "none").toBytes());
            ByteBuf frame = decoder.channel().readInbound();
            try {
                int readable = frame.readableBytes();
                assertThat(FrameReader.nack(frame)).isEqualTo(new FrameReader.Nack(3, ErrorCode.NO_ANALYZERS, 9, 100, "none"));
                assertThat(FrameReader.nack(frame).id()).isEqualTo(3);
                assertThat(frame.readableBytes()).isEqualTo(readable);
            } finally {
                frame.release();
            }
        }
    }

    @Test
    void shouldReadAnErrorCodeThatIsNotInTheTableAsUnknownKeepingTheRawNumber() {
        // ERROR, code 99, reason ""
        try (FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH)) {
            decoder.feed("00 00 00 08 01 09 00 00 00 63 00 00");
            ByteBuf frame = decoder.channel().readInbound();
            try {
                assertThat(FrameReader.error(frame)).isEqualTo(new FrameReader.Error(ErrorCode.UNKNOWN, 99, ""));
            } finally {
                frame.release();
            }
        }
    }

    static byte[] concat(List<FrameModel> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (FrameModel f : frames) {
            out.writeBytes(f.toBytes());
        }
        return out.toByteArray();
    }
}
