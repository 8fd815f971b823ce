package io.logdist.protocol.codec;

import io.logdist.protocol.packet.PacketWriter;
import io.logdist.protocol.testing.Hex;
import io.logdist.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pins the exact bytes of every frame type. Each expected value was worked out by hand
 * from protocol-v1.md (big-endian, {@code length} counts the bytes after itself), not by
 * running the encoder; the comments show the fields.
 */
class FramesTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void everyBufferIsReleased() {
        alloc.assertAllReleased();
    }

    private String encode(Consumer<ByteBuf> writer) {
        ByteBuf out = alloc.buffer();
        try {
            writer.accept(out);
            return Hex.of(out);
        } finally {
            out.release();
        }
    }

    @Test
    void shouldEncodeHelloAsPinnedBytes() {
        // body: role 1 + id 8 + window 4 + str "em-1" (2+4) + str "t0k" (2+3) = 24, length 28 = 0x1c
        assertThat(encode(out -> Frames.writeHello(out, Frames.ROLE_EMITTER, 0x0102030405060708L, 64, "em-1", "t0k")))
            .isEqualTo(Hex.normalize("""
                00 00 00 1c 01 01 00 00
                01
                01 02 03 04 05 06 07 08
                00 00 00 40
                00 04 65 6d 2d 31
                00 03 74 30 6b"""));
    }

    @Test
    void shouldEncodeHelloWithEmptyTokenAsZeroLengthStr() {
        // body: 1 + 8 + 4 + str "d" (2+1) + str "" (2) = 18, length 22 = 0x16
        assertThat(encode(out -> Frames.writeHello(out, Frames.ROLE_DISTRIBUTOR, 0xFFFFFFFFFFFFFFFFL, 0xFFFFFFFFL, "d", "")))
            .isEqualTo(Hex.normalize("""
                00 00 00 16 01 01 00 00
                02
                ff ff ff ff ff ff ff ff
                ff ff ff ff
                00 01 64
                00 00"""));
    }

    @Test
    void shouldEncodeWelcomeAsPinnedBytes() {
        // body: window 4 + maxFrameLength 4 + ackedThrough 8 + str "d" (2+1) = 19, length 23 = 0x17
        assertThat(encode(out -> Frames.writeWelcome(out, 32, FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH, 7, "d")))
            .isEqualTo(Hex.normalize("""
                00 00 00 17 01 02 00 00
                00 00 00 20
                00 10 00 00
                00 00 00 00 00 00 00 07
                00 01 64"""));
    }

    @Test
    void shouldEncodePacketFrameAsPinnedBytes() {
        // packet: emitterId 1, sequence 2, timestamp 100,000,000 us, priority 7, messages "hi" and "";
        // 32 + (4+2) + (4+0) = 42 bytes; CRC-32C of bytes [4, 42) = 0xc6b1f047 (computed independently).
        // frame length 4 + 42 = 46 = 0x2e
        assertThat(encode(out -> {
            Frames.writePacketHeader(out, 42);
            new PacketWriter().begin(out, 1, 2, 100_000_000L, 7).addMessage(new byte[] {'h', 'i'}).addMessage(new byte[0]).finish();
        })).isEqualTo(Hex.normalize("""
            00 00 00 2e 01 03 00 00
            c6 b1 f0 47
            00 00 00 00 00 00 00 01
            00 00 00 00 00 00 00 02
            00 00 00 00 05 f5 e1 00
            07 00 00 02
            00 00 00 02 68 69
            00 00 00 00"""));
    }

    @Test
    void shouldEncodeDeliverFrameAsPinnedBytes() {
        // body: deliveryId 8 + the 42-byte packet above, length 4 + 8 + 42 = 54 = 0x36
        assertThat(encode(out -> {
            Frames.writeDeliverHeader(out, 3, 42);
            new PacketWriter().begin(out, 1, 2, 100_000_000L, 7).addMessage(new byte[] {'h', 'i'}).addMessage(new byte[0]).finish();
        })).isEqualTo(Hex.normalize("""
            00 00 00 36 01 04 00 00
            00 00 00 00 00 00 00 03
            c6 b1 f0 47
            00 00 00 00 00 00 00 01
            00 00 00 00 00 00 00 02
            00 00 00 00 05 f5 e1 00
            07 00 00 02
            00 00 00 02 68 69
            00 00 00 00"""));
    }

    @Test
    void shouldEncodeAckAsPinnedBytes() {
        assertThat(encode(out -> Frames.writeAck(out, 5)))
            .isEqualTo(Hex.normalize("00 00 00 0c 01 05 00 00 00 00 00 00 00 00 00 05"));
    }

    @Test
    void shouldEncodeNackAsPinnedBytes() {
        // body: id 8 + code 2 + retryAfterMillis 4 + str "full" (2+4) = 20, length 24 = 0x18
        assertThat(encode(out -> Frames.writeNack(out, 9, ErrorCode.OVERLOADED, 250, "full")))
            .isEqualTo(Hex.normalize("""
                00 00 00 18 01 06 00 00
                00 00 00 00 00 00 00 09
                00 08
                00 00 00 fa
                00 04 66 75 6c 6c"""));
    }

    @Test
    void shouldEncodePingAsPinnedBytes() {
        assertThat(encode(out -> Frames.writePing(out, 0x1122334455667788L)))
            .isEqualTo(Hex.normalize("00 00 00 0c 01 07 00 00 11 22 33 44 55 66 77 88"));
    }

    @Test
    void shouldEncodePongAsPinnedBytes() {
        assertThat(encode(out -> Frames.writePong(out, 0x1122334455667788L)))
            .isEqualTo(Hex.normalize("00 00 00 0c 01 08 00 00 11 22 33 44 55 66 77 88"));
    }

    @Test
    void shouldEncodeErrorWithUtf8ReasonAsPinnedBytes() {
        // body: code 2 + str "é" (2 + 2 bytes of UTF-8: c3 a9) = 6, length 10 = 0x0a
        assertThat(encode(out -> Frames.writeError(out, ErrorCode.PROTOCOL_VIOLATION, "é")))
            .isEqualTo(Hex.normalize("00 00 00 0a 01 09 00 00 00 0a 00 02 c3 a9"));
    }

    @Test
    void shouldEncodeGoodbyeAsBareHeader() {
        assertThat(encode(Frames::writeGoodbye)).isEqualTo(Hex.normalize("00 00 00 04 01 0a 00 00"));
    }

    @Test
    void shouldAppendFramesOneAfterAnotherInOneBuffer() {
        assertThat(encode(out -> {
            Frames.writeAck(out, 1);
            Frames.writeGoodbye(out);
        })).isEqualTo(Hex.normalize("00 00 00 0c 01 05 00 00 00 00 00 00 00 00 00 01  00 00 00 04 01 0a 00 00"));
    }

    @Test
    void shouldEncodeTheSameBytesThroughTheAllocatingConveniences() {
        assertThat(allocated(Frames.hello(alloc, 1, 0x0102030405060708L, 64, "em-1", "t0k")))
            .isEqualTo(encode(out -> Frames.writeHello(out, 1, 0x0102030405060708L, 64, "em-1", "t0k")));
        assertThat(allocated(Frames.welcome(alloc, 32, 1 << 20, 7, "d")))
            .isEqualTo(encode(out -> Frames.writeWelcome(out, 32, 1 << 20, 7, "d")));
        assertThat(allocated(Frames.ack(alloc, 5))).isEqualTo(encode(out -> Frames.writeAck(out, 5)));
        assertThat(allocated(Frames.nack(alloc, 9, ErrorCode.OVERLOADED, 250, "full")))
            .isEqualTo(encode(out -> Frames.writeNack(out, 9, ErrorCode.OVERLOADED, 250, "full")));
        assertThat(allocated(Frames.ping(alloc, 3))).isEqualTo(encode(out -> Frames.writePing(out, 3)));
        assertThat(allocated(Frames.pong(alloc, 3))).isEqualTo(encode(out -> Frames.writePong(out, 3)));
        assertThat(allocated(Frames.error(alloc, ErrorCode.IDLE_TIMEOUT, "idle")))
            .isEqualTo(encode(out -> Frames.writeError(out, ErrorCode.IDLE_TIMEOUT, "idle")));
        assertThat(allocated(Frames.goodbye(alloc))).isEqualTo(encode(Frames::writeGoodbye));
    }

    private static String allocated(ByteBuf frame) {
        try {
            return Hex.of(frame);
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldEncodeAStrOfExactly65535Bytes() {
        String reason = "x".repeat(0xFFFF);
        ByteBuf out = alloc.buffer();
        try {
            Frames.writeError(out, ErrorCode.MALFORMED_FRAME, reason);
            assertThat(out.getInt(0)).isEqualTo(4 + 2 + 2 + 0xFFFF);
            assertThat(out.getUnsignedShort(FrameDescriptor.BODY_OFFSET + 2)).isEqualTo(0xFFFF);
            assertThat(out.readableBytes()).isEqualTo(8 + 2 + 2 + 0xFFFF);
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRefuseAStrLongerThan65535BytesAndWriteNothing() {
        String reason = "é".repeat(0x8000); // 65,536 bytes of UTF-8
        ByteBuf out = alloc.buffer();
        try {
            Frames.writeAck(out, 1);
            int before = out.writerIndex();
            assertThatThrownBy(() -> Frames.writeError(out, ErrorCode.MALFORMED_FRAME, reason))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65536 bytes");
            assertThatThrownBy(() -> Frames.writeHello(out, 1, 1, 1, "em", reason))
                .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Frames.writeNack(out, 1, ErrorCode.OVERLOADED, 0, reason))
                .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Frames.writeWelcome(out, 1, 1 << 20, 0, reason))
                .isInstanceOf(IllegalArgumentException.class);
            // a refused frame must not leave half a frame in a buffer that batches others
            assertThat(out.writerIndex()).isEqualTo(before);
        } finally {
            out.release();
        }
    }

    @Test
    void shouldReleaseTheBufferOfAnAllocatingConvenienceThatRefusesAStr() {
        String tooLong = "x".repeat(0x10000);
        assertThatThrownBy(() -> Frames.hello(alloc, 1, 1, 1, tooLong, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Frames.welcome(alloc, 1, 1 << 20, 0, tooLong)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Frames.nack(alloc, 1, ErrorCode.OVERLOADED, 0, tooLong)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Frames.error(alloc, ErrorCode.OVERLOADED, tooLong)).isInstanceOf(IllegalArgumentException.class);
        // everyBufferIsReleased() checks that none of the four buffers was left allocated
    }
}
