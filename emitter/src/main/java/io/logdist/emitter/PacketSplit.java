package io.logdist.emitter;

import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.packet.PacketDescriptor;
import io.logdist.protocol.packet.PacketFlyweight;
import io.logdist.protocol.packet.PacketWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a PACKET frame into frames whose packets fit {@code maxPacketBytes}, for a
 * distributor that now takes smaller frames than the packet was made for (it restarted
 * with a lower maxFrameLength). The messages keep their order; the first part keeps the
 * packet's sequence, the others carry sequence 0 for the sender to number. A single
 * message too long for any packet is cut to fit, with one warning per run.
 *
 * <p>Stateless; any thread.
 */
final class PacketSplit {
    /** One of the frames: its owner is the caller. */
    record Part(ByteBuf frame, int messages, int payloadBytes) {
    }

    private PacketSplit() {
    }

    /** True when the packet of {@code frame} is longer than {@code maxPacketBytes}. */
    static boolean tooLong(ByteBuf frame, int maxPacketBytes) {
        return frame.readableBytes() - Frames.PACKET_HEADER_LENGTH > maxPacketBytes;
    }

    /** The parts of {@code frame} (neither consumed nor released), each packet at most {@code maxPacketBytes}. */
    static List<Part> split(ByteBuf frame, int maxPacketBytes, ByteBufAllocator alloc, OnceWarning truncation) {
        int packetIndex = frame.readerIndex() + Frames.PACKET_HEADER_LENGTH;
        int packetLength = frame.readableBytes() - Frames.PACKET_HEADER_LENGTH;
        PacketFlyweight packet = new PacketFlyweight().wrap(frame, packetIndex, packetLength);
        // After the header, the messages lie as a chunk does: each a u32 length and its bytes.
        ByteBuf messages = frame.slice(packetIndex + PacketDescriptor.HEADER_LENGTH, packetLength - PacketDescriptor.HEADER_LENGTH);
        PacketWriter writer = new PacketWriter();
        List<Part> parts = new ArrayList<>();
        long sequence = packet.sequence();
        while (messages.isReadable()) {
            ByteBuf out = alloc.directBuffer(Frames.PACKET_HEADER_LENGTH + Math.min(packetLength, maxPacketBytes));
            int frameStart = out.writerIndex();
            Frames.writePacketHeader(out, 0); // length patched below
            writer.begin(out, packet.emitterId(), sequence, packet.timestampMicros(), packet.priority());
            int added = MessageChunks.fill(writer, messages, maxPacketBytes, truncation, "a message being resent");
            int length = writer.finish();
            out.setInt(frameStart + FrameDescriptor.LENGTH_OFFSET, FrameDescriptor.lengthFieldFor(length));
            int payload = length - PacketDescriptor.HEADER_LENGTH - added * PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE;
            parts.add(new Part(out, added, payload));
            sequence = 0;
        }
        return parts;
    }
}
