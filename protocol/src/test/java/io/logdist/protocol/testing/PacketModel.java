package io.logdist.protocol.testing;

import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.packet.PacketDescriptor;
import io.logdist.protocol.packet.PacketFlyweight;
import io.logdist.protocol.packet.PacketWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The fields of a packet as plain values, to write with {@link PacketWriter} and compare
 * with what {@link PacketFlyweight} reads back. Equality compares message bytes.
 */
public record PacketModel(long emitterId, long sequence, long timestampMicros, int priority, List<byte[]> messages) {
    public PacketModel {
        messages = List.copyOf(messages);
    }

    /** Size of the packet on the wire. */
    public int encodedLength() {
        int length = PacketDescriptor.HEADER_LENGTH;
        for (byte[] m : messages) {
            length += PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE + m.length;
        }
        return length;
    }

    /** Appends the packet to {@code out}; returns its length. */
    public int writeTo(ByteBuf out, PacketWriter writer) {
        writer.begin(out, emitterId, sequence, timestampMicros, priority);
        for (byte[] m : messages) {
            writer.addMessage(m);
        }
        return writer.finish();
    }

    public byte[] toBytes() {
        ByteBuf out = Unpooled.buffer(encodedLength());
        try {
            writeTo(out, new PacketWriter());
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /** Reads a packet that {@code packet} holds and that validates; fails the test otherwise. */
    public static PacketModel read(PacketFlyweight packet) {
        ErrorCode code = packet.validate();
        if (code != ErrorCode.NONE) {
            throw new AssertionError("packet does not validate: " + code);
        }
        List<byte[]> messages = new ArrayList<>(packet.count());
        packet.forEachMessage((buffer, index, length) -> messages.add(ByteBufUtil.getBytes(buffer, index, length)));
        return new PacketModel(packet.emitterId(), packet.sequence(), packet.timestampMicros(), packet.priority(), messages);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PacketModel p)) {
            return false;
        }
        if (emitterId != p.emitterId || sequence != p.sequence || timestampMicros != p.timestampMicros
            || priority != p.priority || messages.size() != p.messages.size()) {
            return false;
        }
        for (int i = 0; i < messages.size(); i++) {
            if (!Arrays.equals(messages.get(i), p.messages.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(emitterId) * 31 + Long.hashCode(sequence);
        for (byte[] m : messages) {
            h = h * 31 + Arrays.hashCode(m);
        }
        return h;
    }

    @Override
    public String toString() {
        return "Packet[emitterId=" + emitterId + ", sequence=" + sequence + ", timestampMicros=" + timestampMicros
            + ", priority=" + priority + ", messages=" + messages.stream()
            .map(m -> m.length <= 16 ? Hex.of(m) : Hex.of(Arrays.copyOf(m, 16)) + " ... (" + m.length + " bytes)")
            .collect(Collectors.joining(" | ", "[", "]")) + "]";
    }
}
