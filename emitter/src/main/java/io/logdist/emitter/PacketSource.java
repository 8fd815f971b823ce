package io.logdist.emitter;

import io.logdist.protocol.packet.PacketWriter;

/**
 * Where one emitter session's messages come from: generated log lines, the lines of a
 * file, or the packets of dead-letter files being replayed. The session opens a packet, asks the source to fill it, and finishes it.
 *
 * <p>Each instance belongs to one session and is touched only by that session's event
 * loop.
 */
interface PacketSource {
    /** Makes each session's source; {@code wakeup} runs that session's pump when a waiting source gets more. */
    @FunctionalInterface
    interface Factory {
        PacketSource create(long emitterId, Wakeup wakeup);
    }

    /**
     * True when {@link #fill} would add at least one message now. A source with nothing
     * at hand that may get more arranges to run the session's pump when it does.
     */
    boolean ready();

    /** True once no message will ever come from this source again. */
    boolean exhausted();

    /**
     * The priority of the next packet, asked after {@link #ready()} said true and before
     * {@link #fill}. Sources whose messages carry no priority of their own take the
     * run's choice ({@code --priority}).
     */
    default int priority(PriorityChooser chooser) {
        return chooser.next();
    }

    /** A good initial capacity for the next PACKET frame (header included), at most {@code maxPacketBytes + 4}. */
    int frameBytesHint(int maxPacketBytes);

    /**
     * Adds the next packet's messages to {@code writer}, which has just begun a packet,
     * keeping the whole packet within {@code maxPacketBytes}; returns how many it added,
     * at least one after {@link #ready()} said true.
     */
    int fill(PacketWriter writer, int maxPacketBytes);

    /** Releases whatever buffers the source still holds. */
    void close();
}
