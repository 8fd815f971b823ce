package io.logdist.protocol.packet;

import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.testing.FrameDecoderHarness;
import io.logdist.protocol.testing.Hex;
import io.logdist.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reading, writing and validating packets. Malformed packets are built by hand with a
 * correct CRC (from the JDK's {@link CRC32C}, not the code under test) so that validation
 * must find the layout fault itself, and they travel in a PACKET frame through the
 * decoder, as they would from an emitter.
 */
class PacketFlyweightTest {
    /** Hand-computed (see FramesTest): emitterId 1, sequence 2, 100 s, priority 7, messages "hi" and "". */
    static final String GOLDEN_PACKET = """
        c6 b1 f0 47
        00 00 00 00 00 00 00 01
        00 00 00 00 00 00 00 02
        00 00 00 00 05 f5 e1 00
        07 00 00 02
        00 00 00 02 68 69
        00 00 00 00""";

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final PacketFlyweight flyweight = new PacketFlyweight();

    @AfterEach
    void everyBufferIsReleased() {
        alloc.assertAllReleased();
    }

    @Test
    void shouldWriteTheGoldenPacketByteForByte() {
        ByteBuf out = alloc.buffer();
        try {
            PacketWriter writer = new PacketWriter().begin(out, 1, 2, 100_000_000L, 7);
            writer.addMessage(new byte[] {'h', 'i'});
            ByteBuf empty = alloc.buffer(0);
            try {
                writer.addMessage(empty, empty.readerIndex(), empty.readableBytes());
            } finally {
                empty.release();
            }
            assertThat(writer.count()).isEqualTo(2);
            assertThat(writer.finish()).isEqualTo(42);
            assertThat(Hex.of(out)).isEqualTo(Hex.normalize(GOLDEN_PACKET));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldReadEveryFieldOfTheGoldenPacket() {
        ByteBuf packet = alloc.fromHex(GOLDEN_PACKET);
        try {
            flyweight.wrap(packet);
            assertThat(flyweight.validate()).isEqualTo(ErrorCode.NONE);
            assertThat(flyweight.crc()).isEqualTo(0xc6b1f047);
            assertThat(flyweight.computeCrc()).isEqualTo(0xc6b1f047);
            assertThat(flyweight.emitterId()).isEqualTo(1);
            assertThat(flyweight.sequence()).isEqualTo(2);
            assertThat(flyweight.timestampMicros()).isEqualTo(100_000_000L);
            assertThat(flyweight.priority()).isEqualTo(7);
            assertThat(flyweight.attributes()).isZero();
            assertThat(flyweight.count()).isEqualTo(2);
            assertThat(flyweight.payloadBytes()).isEqualTo(2);
            assertThat(messagesOf(flyweight)).containsExactly("68 69", "");
        } finally {
            packet.release();
        }
    }

    @Test
    void shouldReadAPacketAtAnOffsetInsideALargerBuffer() {
        ByteBuf buf = alloc.buffer();
        try {
            buf.writeBytes(Hex.decode("de ad be ef"));
            buf.writeBytes(Hex.decode(GOLDEN_PACKET));
            buf.writeBytes(Hex.decode("ff ff"));
            flyweight.wrap(buf, 4, 42);
            assertThat(flyweight.validate()).isEqualTo(ErrorCode.NONE);
            assertThat(flyweight.sequence()).isEqualTo(2);
            assertThat(messagesOf(flyweight)).containsExactly("68 69", "");
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldReadPriorityAsUnsignedUpTo255() {
        ByteBuf out = alloc.buffer();
        try {
            new PacketWriter().begin(out, 1, 1, 0, 255).addMessage(new byte[1]).finish();
            assertThat(flyweight.wrap(out).priority()).isEqualTo(255);
            assertThat(flyweight.validate()).isEqualTo(ErrorCode.NONE);
        } finally {
            out.release();
        }
    }

    @Test
    void shouldWriteAPacketAfterWhateverTheBufferAlreadyHolds() {
        ByteBuf out = alloc.buffer();
        try {
            Frames.writePacketHeader(out, 42);
            new PacketWriter().begin(out, 1, 2, 100_000_000L, 7).addMessage(new byte[] {'h', 'i'}).addMessage(new byte[0]).finish();
            assertThat(Hex.of(out.slice(FrameDescriptor.HEADER_LENGTH, 42))).isEqualTo(Hex.normalize(GOLDEN_PACKET));
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRefusePriorityOutside0To255() {
        ByteBuf out = alloc.buffer();
        try {
            assertThatThrownBy(() -> new PacketWriter().begin(out, 1, 1, 0, 256))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("priority=256");
            assertThatThrownBy(() -> new PacketWriter().begin(out, 1, 1, 0, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("priority=-1");
        } finally {
            out.release();
        }
    }

    @Test
    void shouldHoldAtMost65535Messages() {
        ByteBuf out = alloc.buffer();
        try {
            PacketWriter writer = new PacketWriter().begin(out, 1, 1, 0, 0);
            byte[] empty = new byte[0];
            for (int i = 0; i < PacketDescriptor.MAX_COUNT; i++) {
                writer.addMessage(empty);
            }
            assertThatThrownBy(() -> writer.addMessage(empty)).isInstanceOf(IllegalStateException.class);
            writer.finish();
            assertThat(flyweight.wrap(out).count()).isEqualTo(65535);
            assertThat(flyweight.validate()).isEqualTo(ErrorCode.NONE);
        } finally {
            out.release();
        }
    }

    @Test
    void shouldRejectAPacketWithABadCrcWithBadChecksum() {
        byte[] packet = Hex.decode(GOLDEN_PACKET);
        packet[3] ^= 0x01;

        assertThat(validateAsPacketFrame(packet)).isEqualTo(ErrorCode.BAD_CHECKSUM);
    }

    @Test
    void shouldRejectAPacketWhoseContentChangedUnderItsCrcWithBadChecksum() {
        byte[] packet = Hex.decode(GOLDEN_PACKET);
        packet[packet.length - 1] = 1; // the empty message's length becomes 1, packet otherwise unchanged

        assertThat(validateAsPacketFrame(packet)).isEqualTo(ErrorCode.BAD_CHECKSUM);
    }

    @Test
    void shouldRejectCountZeroWithMalformedPacket() {
        assertThat(validateAsPacketFrame(packet(0, ""))).isEqualTo(ErrorCode.MALFORMED_PACKET);
    }

    @Test
    void shouldRejectCountZeroEvenWithBytesAfterTheHeader() {
        assertThat(validateAsPacketFrame(packet(0, "00 00 00 00"))).isEqualTo(ErrorCode.MALFORMED_PACKET);
    }

    @Test
    void shouldRejectFewerMessagesThanCountWithMalformedPacket() {
        assertThat(validateAsPacketFrame(packet(2, "00 00 00 02 68 69"))).isEqualTo(ErrorCode.MALFORMED_PACKET);
    }

    @Test
    void shouldRejectAMessageShorterThanItsLengthWithMalformedPacket() {
        assertThat(validateAsPacketFrame(packet(1, "00 00 00 03 68 69"))).isEqualTo(ErrorCode.MALFORMED_PACKET);
    }

    @Test
    void shouldRejectAMessageLengthFieldCutShortWithMalformedPacket() {
        assertThat(validateAsPacketFrame(packet(2, "00 00 00 00 00 00 00"))).isEqualTo(ErrorCode.MALFORMED_PACKET);
    }

    @Test
    void shouldRejectBytesLeftOverAfterTheLastMessageWithMalformedPacket() {
        assertThat(validateAsPacketFrame(packet(1, "00 00 00 02 68 69 00"))).isEqualTo(ErrorCode.MALFORMED_PACKET);
    }

    @Test
    void shouldRejectAMessageLengthThatOverflowsAnIntWithMalformedPacket() {
        assertThat(validateAsPacketFrame(packet(1, "ff ff ff ff 68 69"))).isEqualTo(ErrorCode.MALFORMED_PACKET);
        assertThat(validateAsPacketFrame(packet(1, "80 00 00 00 68 69"))).isEqualTo(ErrorCode.MALFORMED_PACKET);
        assertThat(validateAsPacketFrame(packet(1, "7f ff ff ff 68 69"))).isEqualTo(ErrorCode.MALFORMED_PACKET);
    }

    @Test
    void shouldRejectMessageLengthsThatWrapAroundToTheExactEndWithMalformedPacket() {
        // two messages whose lengths sum to 2^32 + 2 would "fit" if the sum were taken modulo 2^32
        assertThat(validateAsPacketFrame(packet(2, "ff ff ff fc 00 00 00 02 68 69"))).isEqualTo(ErrorCode.MALFORMED_PACKET);
        // Read as a signed int, the second length (-8) steps back onto the first message's body,
        // which reads as a third length of 4 that ends exactly at the end: "valid".
        assertThat(validateAsPacketFrame(packet(3, "00 00 00 04 00 00 00 04 ff ff ff f8"))).isEqualTo(ErrorCode.MALFORMED_PACKET);
    }

    @Test
    void shouldRejectAPacketShorterThanItsHeaderWithMalformedPacket() {
        byte[] golden = Hex.decode(GOLDEN_PACKET);
        for (int length : new int[] {0, 4, 31}) {
            byte[] packet = Arrays.copyOf(golden, length);
            if (length > 4) {
                setCrc(packet);
            }
            assertThat(validateAsPacketFrame(packet)).as("length %d", length).isEqualTo(ErrorCode.MALFORMED_PACKET);
        }
    }

    @Test
    void shouldAcceptTheSmallestWellFormedPacket() {
        // one empty message: 32 + 4 bytes
        assertThat(validateAsPacketFrame(packet(1, "00 00 00 00"))).isEqualTo(ErrorCode.NONE);
    }

    @Test
    void shouldDetectEverySingleByteChangeToASmallPacket() {
        byte[] golden = Hex.decode(GOLDEN_PACKET);
        ByteBuf buf = alloc.copyOf(golden);
        try {
            flyweight.wrap(buf);
            for (int index = 0; index < golden.length; index++) {
                for (int mask = 1; mask < 256; mask++) {
                    buf.setByte(index, golden[index] ^ mask);
                    if (flyweight.validate() == ErrorCode.NONE) {
                        throw new AssertionError("byte " + index + " xor 0x" + Integer.toHexString(mask) + " went unnoticed");
                    }
                }
                buf.setByte(index, golden[index]);
            }
            assertThat(flyweight.validate()).isEqualTo(ErrorCode.NONE);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldValidateThePacketInsideADeliverFrame() {
        byte[] golden = Hex.decode(GOLDEN_PACKET);
        ByteBuf frame = alloc.buffer();
        try {
            Frames.writeDeliverHeader(frame, 77, golden.length);
            frame.writeBytes(golden);
            assertThat(FrameReader.deliveryId(frame)).isEqualTo(77);
            assertThat(flyweight.wrap(FrameReader.packetOfDeliverFrame(frame)).validate()).isEqualTo(ErrorCode.NONE);
            assertThat(flyweight.sequence()).isEqualTo(2);
        } finally {
            frame.release();
        }
    }

    /** A packet with emitterId 1, sequence 1, the given count and raw bytes after the header, and a correct CRC. */
    private static byte[] packet(int count, String afterHeader) {
        byte[] tail = Hex.decode(afterHeader);
        byte[] packet = new byte[PacketDescriptor.HEADER_LENGTH + tail.length];
        packet[11] = 1; // emitterId
        packet[19] = 1; // sequence
        packet[PacketDescriptor.COUNT_OFFSET] = (byte) (count >>> 8);
        packet[PacketDescriptor.COUNT_OFFSET + 1] = (byte) count;
        System.arraycopy(tail, 0, packet, PacketDescriptor.HEADER_LENGTH, tail.length);
        setCrc(packet);
        return packet;
    }

    private static void setCrc(byte[] packet) {
        CRC32C crc = new CRC32C();
        crc.update(packet, 4, packet.length - 4);
        int v = (int) crc.getValue();
        packet[0] = (byte) (v >>> 24);
        packet[1] = (byte) (v >>> 16);
        packet[2] = (byte) (v >>> 8);
        packet[3] = (byte) v;
    }

    /** Sends {@code packet} in a PACKET frame through the decoder and validates what comes out. */
    private ErrorCode validateAsPacketFrame(byte[] packet) {
        ByteBuf frame = alloc.buffer();
        Frames.writePacketHeader(frame, packet.length);
        frame.writeBytes(packet);
        byte[] bytes = ByteBufUtil.getBytes(frame);
        frame.release();
        try (FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH)) {
            decoder.feed(bytes);
            ByteBuf decoded = decoder.channel().readInbound();
            try {
                assertThat(decoded).as("a well-framed PACKET is passed up whatever its contents").isNotNull();
                return flyweight.wrap(FrameReader.packetOfPacketFrame(decoded)).validate();
            } finally {
                decoded.release();
            }
        }
    }

    private static List<String> messagesOf(PacketFlyweight packet) {
        List<String> out = new ArrayList<>();
        packet.forEachMessage((buffer, index, length) -> out.add(Hex.of(ByteBufUtil.getBytes(buffer, index, length))));
        return out;
    }
}
