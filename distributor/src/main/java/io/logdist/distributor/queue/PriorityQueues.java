package io.logdist.distributor.queue;

import io.logdist.protocol.packet.PacketDescriptor;

/**
 * The 256 priority queues feeding one analyzer link; level 0 is served first.
 *
 * <p>Each level is an intrusive FIFO. A 256-bit bitmap ({@code long[4]}) marks the
 * non-empty levels, so finding the most urgent packet is a few
 * {@link Long#numberOfTrailingZeros} calls: constant time whatever the mix of levels.
 * Sizes are tracked in packets and bytes so the owner can bound them.
 *
 * <p>Not thread-safe: owned by the link's event loop.
 */
public final class PriorityQueues {
    private static final int LEVELS = PacketDescriptor.PRIORITY_LEVELS;

    private final PacketList[] levels = new PacketList[LEVELS];
    private final long[] nonEmpty = new long[LEVELS / 64];
    /** Every this many polls, one goes to the next non-empty level in turn, so no level starves. */
    static final int FAIR_SHARE_EVERY = 16;

    private int size;
    private int polls;
    private int fairCursor;

    public PriorityQueues() {
        for (int i = 0; i < LEVELS; i++) {
            levels[i] = new PacketList();
        }
    }

    public void add(Packet p) {
        int level = p.priority;
        levels[level].add(p);
        nonEmpty[level >>> 6] |= 1L << (level & 63);
        size++;
    }

    /**
     * Removes and returns the oldest packet of the most urgent non-empty level, or null.
     * Strict priority would starve the least urgent levels under a sustained flood of
     * urgent packets, so one poll in {@link #FAIR_SHARE_EVERY} serves the next non-empty
     * level after the previous such turn (round robin over the levels): every waiting
     * level moves.
     */
    public Packet poll() {
        int level = firstNonEmpty();
        if (level < 0) {
            return null;
        }
        if (++polls == FAIR_SHARE_EVERY) {
            polls = 0;
            level = nextNonEmptyFrom(fairCursor);
            fairCursor = (level + 1) & (LEVELS - 1);
        }
        PacketList list = levels[level];
        Packet p = list.poll();
        if (list.isEmpty()) {
            nonEmpty[level >>> 6] &= ~(1L << (level & 63));
        }
        size--;
        return p;
    }

    /** The most urgent non-empty level, or -1. */
    public int firstNonEmpty() {
        for (int w = 0; w < nonEmpty.length; w++) {
            long bits = nonEmpty[w];
            if (bits != 0) {
                return (w << 6) + Long.numberOfTrailingZeros(bits);
            }
        }
        return -1;
    }

    /** The first non-empty level at or after {@code from}, wrapping around; there must be one. */
    private int nextNonEmptyFrom(int from) {
        int w = from >>> 6;
        long bits = nonEmpty[w] & (-1L << (from & 63));
        for (int i = 0; i <= nonEmpty.length; i++) {
            if (bits != 0) {
                return (w << 6) + Long.numberOfTrailingZeros(bits);
            }
            w = (w + 1) & (nonEmpty.length - 1);
            bits = nonEmpty[w];
        }
        throw new IllegalStateException("no non-empty level");
    }

    /** Moves every queued packet, most urgent first, to the end of {@code out}. */
    public void drainTo(PacketList out) {
        int level;
        while ((level = firstNonEmpty()) >= 0) {
            PacketList list = levels[level];
            size -= list.size();
            out.addAll(list);
            nonEmpty[level >>> 6] &= ~(1L << (level & 63));
        }
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }
}
