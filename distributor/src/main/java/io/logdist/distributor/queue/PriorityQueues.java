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
    private int size;
    private long bytes;

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
        bytes += p.length();
    }

    /** Removes and returns the oldest packet of the most urgent non-empty level, or null. */
    public Packet poll() {
        int level = firstNonEmpty();
        if (level < 0) {
            return null;
        }
        PacketList list = levels[level];
        Packet p = list.poll();
        if (list.isEmpty()) {
            nonEmpty[level >>> 6] &= ~(1L << (level & 63));
        }
        size--;
        bytes -= p.length();
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

    /** Moves every queued packet, most urgent first, to the end of {@code out}. */
    public void drainTo(PacketList out) {
        Packet p;
        while ((p = poll()) != null) {
            out.add(p);
        }
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    public long bytes() {
        return bytes;
    }
}
