package io.logdist.protocol.packet;

import io.logdist.protocol.codec.ErrorCode;
import io.netty.buffer.ByteBuf;

/**
 * Reads an LDP/1 packet in place. Wrap it over a buffer region, read fields, and
 * {@link #validate()} it; nothing is copied and nothing allocated per packet.
 *
 * <p>Not thread-safe: one instance per thread or per channel, re-wrapped for each packet.
 */
public final class PacketFlyweight {
    private final Crc32c crc32c = new Crc32c();
    private ByteBuf buffer;
    private int offset;
    private int length;

    /** Points this flyweight at {@code length} bytes of {@code buffer} starting at {@code offset}. */
    public PacketFlyweight wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** Points this flyweight at the readable bytes of {@code buffer}. */
    public PacketFlyweight wrap(ByteBuf buffer) {
        return wrap(buffer, buffer.readerIndex(), buffer.readableBytes());
    }

    /** True when the fixed header is present, so the header fields below can be read. */
    public boolean hasHeader() {
        return length >= PacketDescriptor.HEADER_LENGTH;
    }

    public int crc() {
        return buffer.getInt(offset + PacketDescriptor.CRC_OFFSET);
    }

    public long emitterId() {
        return buffer.getLong(offset + PacketDescriptor.EMITTER_ID_OFFSET);
    }

    public long sequence() {
        return buffer.getLong(offset + PacketDescriptor.SEQUENCE_OFFSET);
    }

    public long timestampMicros() {
        return buffer.getLong(offset + PacketDescriptor.TIMESTAMP_OFFSET);
    }

    public int priority() {
        return buffer.getUnsignedByte(offset + PacketDescriptor.PRIORITY_OFFSET);
    }

    public int attributes() {
        return buffer.getUnsignedByte(offset + PacketDescriptor.ATTRIBUTES_OFFSET);
    }

    public int count() {
        return buffer.getUnsignedShort(offset + PacketDescriptor.COUNT_OFFSET);
    }

    /** CRC-32C of bytes [4, end), as the packet's {@code crc} field should hold it. */
    public int computeCrc() {
        return crc32c.compute(buffer, offset + PacketDescriptor.CRC_COVERED_OFFSET, length - PacketDescriptor.CRC_COVERED_OFFSET);
    }

    /**
     * Checks the packet is well formed: header present, CRC matches, {@code count} at
     * least 1 and the messages fill the packet exactly.
     *
     * @return {@link ErrorCode#NONE}, {@link ErrorCode#BAD_CHECKSUM} or {@link ErrorCode#MALFORMED_PACKET}
     */
    public ErrorCode validate() {
        if (!hasHeader()) {
            return ErrorCode.MALFORMED_PACKET;
        }
        if (computeCrc() != crc()) {
            return ErrorCode.BAD_CHECKSUM;
        }
        int count = count();
        if (count == 0) {
            return ErrorCode.MALFORMED_PACKET;
        }
        long index = offset + PacketDescriptor.MESSAGES_OFFSET;
        long end = (long) offset + length;
        for (int i = 0; i < count; i++) {
            if (end - index < PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE) {
                return ErrorCode.MALFORMED_PACKET;
            }
            long messageLength = buffer.getUnsignedInt((int) index);
            index += PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE + messageLength;
            if (index > end) {
                return ErrorCode.MALFORMED_PACKET;
            }
        }
        return index == end ? ErrorCode.NONE : ErrorCode.MALFORMED_PACKET;
    }

    /** Bytes of message payload (the packet minus its header and length prefixes); valid packets only. */
    public long payloadBytes() {
        return length - PacketDescriptor.HEADER_LENGTH - (long) count() * PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE;
    }

    /**
     * Calls {@code visitor} with the buffer index and length of each message in turn;
     * valid packets only.
     */
    public void forEachMessage(MessageVisitor visitor) {
        int index = offset + PacketDescriptor.MESSAGES_OFFSET;
        int count = count();
        for (int i = 0; i < count; i++) {
            int messageLength = (int) buffer.getUnsignedInt(index);
            index += PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE;
            visitor.onMessage(buffer, index, messageLength);
            index += messageLength;
        }
    }

    /** Receives messages from {@link #forEachMessage}. */
    @FunctionalInterface
    public interface MessageVisitor {
        void onMessage(ByteBuf buffer, int index, int length);
    }
}
