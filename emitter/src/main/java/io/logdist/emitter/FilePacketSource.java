package io.logdist.emitter;

import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.packet.PacketDescriptor;
import io.logdist.protocol.packet.PacketWriter;
import io.netty.buffer.ByteBuf;

/**
 * One session's view of the lines read by the shared {@link LineChunkReader}: each
 * chunk it takes becomes one packet, or several when the distributor's maxFrameLength
 * is too small for the whole chunk. A single line too long for the frame is cut to fit,
 * with one warning per run.
 *
 * <p>Not thread-safe: one per session, touched only by its event loop.
 */
final class FilePacketSource implements PacketSource {
    private final LineChunkReader reader;
    private final Wakeup wakeup;
    private final OnceWarning truncation;
    private ByteBuf chunk;

    FilePacketSource(LineChunkReader reader, Wakeup wakeup, OnceWarning truncation) {
        this.reader = reader;
        this.wakeup = wakeup;
        this.truncation = truncation;
        reader.subscribe(wakeup);
    }

    @Override
    public boolean ready() {
        if (chunk != null) {
            return true;
        }
        chunk = reader.poll();
        if (chunk != null) {
            return true;
        }
        // Arm first, then look again: a chunk handed over in between is not missed.
        wakeup.arm();
        chunk = reader.poll();
        return chunk != null;
    }

    @Override
    public boolean exhausted() {
        return chunk == null && reader.finished();
    }

    @Override
    public int frameBytesHint(int maxPacketBytes) {
        int packet = chunk == null ? PacketDescriptor.HEADER_LENGTH
            : PacketDescriptor.HEADER_LENGTH + chunk.readableBytes();
        return FrameDescriptor.LENGTH_FIELD_SIZE + Math.min(packet, maxPacketBytes);
    }

    @Override
    public int fill(PacketWriter writer, int maxPacketBytes) {
        ByteBuf c = chunk;
        int added = MessageChunks.fill(writer, c, maxPacketBytes, truncation, "a line");
        if (!c.isReadable()) {
            chunk = null;
            c.release();
        }
        return added;
    }

    @Override
    public void close() {
        if (chunk != null) {
            chunk.release();
            chunk = null;
        }
    }
}
