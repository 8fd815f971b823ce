package io.logdist.protocol.packet;

import io.netty.buffer.ByteBuf;

/**
 * Builds an LDP/1 packet at the end of a buffer: {@link #begin}, then
 * {@link #addMessage} for each message, then {@link #finish} to fill in {@code count} and
 * the CRC. Reused across packets.
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class PacketWriter {
    private final Crc32c crc32c = new Crc32c();
    private ByteBuf buffer;
    private int start;
    private int count;

    public PacketWriter begin(ByteBuf buffer, long emitterId, long sequence, long timestampMicros, int priority) {
        if (priority < 0 || priority > 255) {
            throw new IllegalArgumentException("priority=" + priority + " is outside 0..255");
        }
        this.buffer = buffer;
        this.start = buffer.writerIndex();
        this.count = 0;
        buffer.writeInt(0);
        buffer.writeLong(emitterId);
        buffer.writeLong(sequence);
        buffer.writeLong(timestampMicros);
        buffer.writeByte(priority);
        buffer.writeByte(0);
        buffer.writeShort(0);
        return this;
    }

    /** Appends one message taken from {@code length} bytes of {@code src} at {@code index} (src is not consumed). */
    public PacketWriter addMessage(ByteBuf src, int index, int length) {
        checkRoom();
        buffer.writeInt(length);
        buffer.writeBytes(src, index, length);
        count++;
        return this;
    }

    public PacketWriter addMessage(byte[] src, int offset, int length) {
        checkRoom();
        buffer.writeInt(length);
        buffer.writeBytes(src, offset, length);
        count++;
        return this;
    }

    public PacketWriter addMessage(byte[] src) {
        return addMessage(src, 0, src.length);
    }

    private void checkRoom() {
        if (count == PacketDescriptor.MAX_COUNT) {
            throw new IllegalStateException("a packet holds at most " + PacketDescriptor.MAX_COUNT + " messages");
        }
    }

    public int count() {
        return count;
    }

    /** Bytes written so far for this packet. */
    public int length() {
        return buffer.writerIndex() - start;
    }

    /** Fills in {@code count} and the CRC; returns the packet's length in bytes. */
    public int finish() {
        buffer.setShort(start + PacketDescriptor.COUNT_OFFSET, count);
        int length = length();
        int crc = crc32c.compute(buffer, start + PacketDescriptor.CRC_COVERED_OFFSET, length - PacketDescriptor.CRC_COVERED_OFFSET);
        buffer.setInt(start + PacketDescriptor.CRC_OFFSET, crc);
        return length;
    }
}
