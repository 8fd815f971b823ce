package io.logdist.emitter;

import io.logdist.protocol.packet.PacketDescriptor;
import io.logdist.protocol.packet.PacketWriter;
import io.netty.buffer.ByteBuf;

/**
 * Moves messages from a chunk into a packet. A chunk holds messages laid out as in a
 * packet (each a u32 length and its bytes, as {@link LineChunkReader} makes them and as
 * they sit after a packet's header) from its reader index on.
 *
 * <p>Stateless; any thread.
 */
final class MessageChunks {
    private MessageChunks() {
    }

    /**
     * Adds the chunk's messages to {@code writer}, which has just begun a packet, as long
     * as they fit {@code maxPacketBytes} and the packet's 65,535 messages, and moves the
     * chunk's reader index past them. A first message too long for any packet is cut to
     * fit, with one warning per run saying which {@code kind} of message it was.
     *
     * @return the number of messages added: at least one when the chunk was readable
     */
    static int fill(PacketWriter writer, ByteBuf chunk, int maxPacketBytes, OnceWarning truncation, String kind) {
        int room = maxPacketBytes - PacketDescriptor.HEADER_LENGTH;
        int added = 0;
        while (chunk.isReadable() && added < PacketDescriptor.MAX_COUNT) {
            int index = chunk.readerIndex();
            int length = chunk.getInt(index);
            int needed = PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE + length;
            int sent = length;
            if (needed > room) {
                if (added > 0) {
                    break; // the rest of the chunk goes into the next packet
                }
                sent = Utf8Boundary.cutLength(chunk, index + PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE,
                    room - PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE);
                if (truncation.pending()) {
                    truncation.warn("emitter: {} of {} bytes does not fit the distributor's frames; sent its first {}"
                        + " bytes (said once)", kind, length, sent);
                }
            }
            writer.addMessage(chunk, index + PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE, sent);
            chunk.readerIndex(index + needed);
            room -= PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE + sent;
            added++;
        }
        return added;
    }
}
