package io.logdist.emitter;

import io.netty.buffer.ByteBuf;

/**
 * The packets one emitter has sent and the distributor has not yet settled: sequences
 * {@code (ackedThrough, highestSent]}, kept in a ring indexed by sequence so a
 * cumulative ACK, a NACK or a resend after reconnecting finds its packet in O(1).
 *
 * <p>Each slot owns one reference to its whole PACKET frame (frame header and packet,
 * as written), kept for resending with the same sequence after a reconnect; the slot
 * also keeps what the report needs once the packet is acknowledged. A NACK takes the
 * frame out of its slot and marks the slot refused; the slot stays until a cumulative
 * ACK passes it, because until then the sequence still counts against the window.
 *
 * <p>Not thread-safe: one per emitter session, touched only by its event loop.
 */
final class Unacked {
    /** Told about each sequence a cumulative ACK settles, in order. */
    interface SettleListener {
        void onAcked(long sequence, long intendedNs, int messages, int payloadBytes);

        void onRefusedSettled(long sequence);
    }

    private final int capacity;
    private final int mask;
    private final ByteBuf[] frames;
    private final long[] intendedNs;
    private final int[] messages;
    private final int[] payloadBytes;
    private final boolean[] refused;
    private long ackedThrough;
    private long highestSent;

    Unacked(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity=" + capacity + " must be at least 1");
        }
        int slots = Integer.highestOneBit(capacity);
        if (slots < capacity) {
            slots <<= 1;
        }
        this.capacity = capacity;
        this.mask = slots - 1;
        this.frames = new ByteBuf[slots];
        this.intendedNs = new long[slots];
        this.messages = new int[slots];
        this.payloadBytes = new int[slots];
        this.refused = new boolean[slots];
    }

    int capacity() {
        return capacity;
    }

    long ackedThrough() {
        return ackedThrough;
    }

    long highestSent() {
        return highestSent;
    }

    /** Sequences sent and not yet settled by an ACK, refused ones included: what counts against the window. */
    int inFlight() {
        return (int) (highestSent - ackedThrough);
    }

    boolean isEmpty() {
        return highestSent == ackedThrough;
    }

    /** True when {@code sequence} is in flight, i.e. in {@code (ackedThrough, highestSent]}. */
    boolean contains(long sequence) {
        return sequence > ackedThrough && sequence <= highestSent;
    }

    /**
     * Records the frame of the next sequence, {@code highestSent() + 1}, taking over the
     * caller's reference to it; returns that sequence.
     */
    long append(ByteBuf frame, long intendedSendNs, int messageCount, int payload) {
        if (inFlight() >= capacity) {
            throw new IllegalStateException("ring full: " + inFlight() + " packets in flight, capacity " + capacity);
        }
        long sequence = ++highestSent;
        int i = (int) sequence & mask;
        frames[i] = frame;
        intendedNs[i] = intendedSendNs;
        messages[i] = messageCount;
        payloadBytes[i] = payload;
        refused[i] = false;
        return sequence;
    }

    /** The frame kept for {@code sequence} (not retained), or null when it was refused. */
    ByteBuf frame(long sequence) {
        checkInFlight(sequence);
        return frames[(int) sequence & mask];
    }

    long intendedNs(long sequence) {
        checkInFlight(sequence);
        return intendedNs[(int) sequence & mask];
    }

    int messages(long sequence) {
        checkInFlight(sequence);
        return messages[(int) sequence & mask];
    }

    int payloadBytes(long sequence) {
        checkInFlight(sequence);
        return payloadBytes[(int) sequence & mask];
    }

    /**
     * Puts {@code frame} (taking over the caller's reference) in place of the frame kept for
     * an in-flight, unrefused {@code sequence}, which is released: the same sequence with
     * fewer messages (see {@link PacketSplit}).
     */
    void replace(long sequence, ByteBuf frame, int messageCount, int payload) {
        checkInFlight(sequence);
        int i = (int) sequence & mask;
        if (frames[i] == null) {
            throw new IllegalStateException("sequence " + sequence + " was refused: it has no frame to replace");
        }
        frames[i].release();
        frames[i] = frame;
        messages[i] = messageCount;
        payloadBytes[i] = payload;
    }

    /**
     * Marks an in-flight sequence refused and hands its frame (and the reference to it)
     * to the caller; null when the sequence is not in flight or was already refused.
     */
    ByteBuf refuse(long sequence) {
        if (!contains(sequence)) {
            return null;
        }
        int i = (int) sequence & mask;
        if (refused[i]) {
            return null;
        }
        refused[i] = true;
        ByteBuf frame = frames[i];
        frames[i] = null;
        return frame;
    }

    /**
     * Settles every sequence up to {@code through} (clamped to what was sent), telling
     * {@code listener} about each and releasing its frame; returns how many were settled.
     */
    int settleThrough(long through, SettleListener listener) {
        long end = Math.min(through, highestSent);
        int settled = 0;
        while (ackedThrough < end) {
            long sequence = ++ackedThrough;
            int i = (int) sequence & mask;
            if (refused[i]) {
                refused[i] = false;
                listener.onRefusedSettled(sequence);
            } else {
                ByteBuf frame = frames[i];
                frames[i] = null;
                if (frame != null) {
                    frame.release();
                }
                listener.onAcked(sequence, intendedNs[i], messages[i], payloadBytes[i]);
            }
            settled++;
        }
        return settled;
    }

    /**
     * Moves both ends to {@code sequence} when nothing is in flight: the distributor holds
     * sequences this emitter never sent (its id was used before), so numbering goes on
     * after them.
     */
    void skipTo(long sequence) {
        if (!isEmpty()) {
            throw new IllegalStateException("cannot skip with " + inFlight() + " packets in flight");
        }
        if (sequence > highestSent) {
            ackedThrough = sequence;
            highestSent = sequence;
        }
    }

    /** In-flight sequences not refused: the packets still waiting for an ACK. */
    int unsettledPackets() {
        int n = 0;
        for (long s = ackedThrough + 1; s <= highestSent; s++) {
            if (!refused[(int) s & mask]) {
                n++;
            }
        }
        return n;
    }

    /** Releases every frame still held; the ring keeps its numbering but holds no buffers. */
    void releaseAll() {
        for (int i = 0; i < frames.length; i++) {
            ByteBuf frame = frames[i];
            if (frame != null) {
                frames[i] = null;
                frame.release();
            }
        }
    }

    private void checkInFlight(long sequence) {
        if (!contains(sequence)) {
            throw new IllegalArgumentException("sequence=" + sequence + " is not in flight ("
                + ackedThrough + ", " + highestSent + "]");
        }
    }
}
