package io.logdist.emitter;

import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.packet.PacketFlyweight;
import io.logdist.protocol.testing.PacketModel;
import io.logdist.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PacketSplitTest {
    /** The parts' frames come from here: each must be released once, by the test, and nothing more made. */
    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void everyPartIsReleased() {
        alloc.assertAllReleased();
    }

    private final OnceWarning truncation = new OnceWarning(LoggerFactory.getLogger(PacketSplitTest.class));

    /** A PACKET frame of emitter 3, sequence 9, priority 5, with these messages. */
    private static ByteBuf frame(String... messages) {
        List<byte[]> bytes = new ArrayList<>();
        for (String m : messages) {
            bytes.add(m.getBytes(StandardCharsets.UTF_8));
        }
        byte[] packet = new PacketModel(3, 9, 1_000, 5, bytes).toBytes();
        ByteBuf frame = Unpooled.buffer();
        Frames.writePacketHeader(frame, packet.length);
        return frame.writeBytes(packet);
    }

    private static PacketModel read(PacketSplit.Part part) {
        ByteBuf f = part.frame();
        assertThat(f.getInt(f.readerIndex() + FrameDescriptor.LENGTH_OFFSET))
            .isEqualTo(FrameDescriptor.lengthFieldFor(f.readableBytes() - Frames.PACKET_HEADER_LENGTH));
        PacketFlyweight p = new PacketFlyweight().wrap(f, f.readerIndex() + Frames.PACKET_HEADER_LENGTH,
            f.readableBytes() - Frames.PACKET_HEADER_LENGTH);
        assertThat(p.validate()).isEqualTo(ErrorCode.NONE);
        return PacketModel.read(p);
    }

    @Test
    void shouldKeepTheSequenceInTheFirstPartAndEveryMessageInOrder() {
        ByteBuf whole = frame("a".repeat(40), "b".repeat(40), "c".repeat(40));
        // Room for two 40-byte messages: 32 + 2 * 44 = 120.
        List<PacketSplit.Part> parts = PacketSplit.split(whole, 120, alloc, truncation);
        try {
            assertThat(PacketSplit.tooLong(whole, 120)).isTrue();
            assertThat(parts).hasSize(2);
            PacketModel first = read(parts.get(0));
            PacketModel second = read(parts.get(1));
            assertThat(first.sequence()).isEqualTo(9);
            assertThat(second.sequence()).as("numbered by the sender").isZero();
            assertThat(List.of(first.emitterId(), first.priority(), second.emitterId(), second.priority()))
                .containsExactly(3L, 5, 3L, 5);
            assertThat(first.messages()).hasSize(2);
            assertThat(new String(second.messages().get(0), StandardCharsets.UTF_8)).isEqualTo("c".repeat(40));
            assertThat(parts.get(0).messages()).isEqualTo(2);
            assertThat(parts.get(0).payloadBytes()).isEqualTo(80);
            assertThat(parts).allSatisfy(p -> assertThat(PacketSplit.tooLong(p.frame(), 120)).isFalse());
        } finally {
            whole.release();
            parts.forEach(p -> p.frame().release());
        }
    }

    @Test
    void shouldCutAMessageThatNoPacketCanHold() {
        ByteBuf whole = frame("x".repeat(200));
        List<PacketSplit.Part> parts = PacketSplit.split(whole, 100, alloc, truncation);
        try {
            assertThat(parts).hasSize(1);
            assertThat(read(parts.get(0)).messages().get(0)).hasSize(100 - 32 - 4);
        } finally {
            whole.release();
            parts.forEach(p -> p.frame().release());
        }
    }
}
