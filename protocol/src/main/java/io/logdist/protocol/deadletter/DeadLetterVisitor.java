package io.logdist.protocol.deadletter;

import io.netty.buffer.ByteBuf;

/**
 * Receives the records of a dead-letter file from {@link DeadLetterReader#read}, in file
 * order, on the thread that called it.
 */
@FunctionalInterface
public interface DeadLetterVisitor {
    /**
     * @param packet          the packet's bytes as its readable bytes; valid only during this
     *                        call (the reader reuses the buffer): copy what you keep, do not
     *                        release it
     * @param writtenAtMicros when the record was written, microseconds since the Unix epoch
     * @param reroutes        how often the distributor had rerouted the packet
     * @param reason          why it was given up
     */
    void onPacket(ByteBuf packet, long writtenAtMicros, int reroutes, String reason);
}
