package io.logdist.emitter;

import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.packet.PacketDescriptor;
import io.logdist.protocol.packet.PacketWriter;
import io.netty.buffer.ByteBuf;

/**
 * One session's view of the packets replayed from dead-letter files by the shared
 * {@link DeadLetterReplayReader}. The original (emitterId, sequence) cannot be sent again
 * (the distributor may already count it as settled), so each dead-lettered packet's
 * messages go out in one new packet under this session's emitterId and next sequence,
 * with the original's priority and message boundaries. Only when the distributor's
 * maxFrameLength is smaller than the one that carried the original does a packet's
 * messages take several packets (said once).
 *
 * <p>Not thread-safe: one per session, touched only by its event loop.
 */
final class DeadLetterPacketSource implements PacketSource {
    private final DeadLetterReplayReader reader;
    private final Wakeup wakeup;
    private final OnceWarning truncation;
    private final OnceWarning split;
    /** The packet being replayed, its reader index at its next message. */
    private ByteBuf packet;
    private int priority;

    DeadLetterPacketSource(DeadLetterReplayReader reader, Wakeup wakeup, OnceWarning truncation, OnceWarning split) {
        this.reader = reader;
        this.wakeup = wakeup;
        this.truncation = truncation;
        this.split = split;
        reader.subscribe(wakeup);
    }

    @Override
    public boolean ready() {
        if (packet != null) {
            return true;
        }
        if (take()) {
            return true;
        }
        // Arm first, then look again: a packet handed over in between is not missed.
        wakeup.arm();
        return take();
    }

    private boolean take() {
        ByteBuf p = reader.poll();
        if (p == null) {
            return false;
        }
        priority = p.getUnsignedByte(p.readerIndex() + PacketDescriptor.PRIORITY_OFFSET);
        p.skipBytes(PacketDescriptor.MESSAGES_OFFSET);
        packet = p;
        return true;
    }

    @Override
    public boolean exhausted() {
        return packet == null && reader.finished();
    }

    @Override
    public int priority(PriorityChooser chooser) {
        return priority;
    }

    @Override
    public int frameBytesHint(int maxPacketBytes) {
        int length = packet == null ? PacketDescriptor.HEADER_LENGTH : PacketDescriptor.HEADER_LENGTH + packet.readableBytes();
        return FrameDescriptor.LENGTH_FIELD_SIZE + Math.min(length, maxPacketBytes);
    }

    @Override
    public int fill(PacketWriter writer, int maxPacketBytes) {
        ByteBuf p = packet;
        int added = MessageChunks.fill(writer, p, maxPacketBytes, truncation, "a replayed message");
        if (p.isReadable()) {
            if (split.pending()) {
                split.warn("emitter: a dead-lettered packet does not fit the distributor's frames ({} bytes at most);"
                    + " its messages go out in several packets (said once)", maxPacketBytes);
            }
            return added;
        }
        packet = null;
        p.release();
        reader.onReplayed();
        return added;
    }

    @Override
    public void close() {
        if (packet != null) {
            packet.release();
            packet = null;
        }
    }
}
