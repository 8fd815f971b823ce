package io.logdist.analyzer.sequence;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * A set of packet sequences (unsigned 64-bit values), kept as a sparse paged bitmap.
 *
 * <p>Sequences of one emitter are dense (1, 2, 3, ...) even when an analyzer sees only a
 * weighted share of them, so a bit per sequence in pages of {@value #PAGE_BITS} bits costs
 * about one bit per sequence instead of the 16+ bytes of a hash set: ten million
 * sequences fit in a few megabytes. A stray huge sequence costs one page (512 bytes),
 * not a gigantic array.
 *
 * <p>Not thread-safe: confine each instance to one thread.
 */
public final class SequenceSet {
    /** Sequences per page; a power of two. */
    public static final int PAGE_BITS = 4096;
    private static final int PAGE_SHIFT = Integer.numberOfTrailingZeros(PAGE_BITS);
    private static final int WORDS_PER_PAGE = PAGE_BITS / Long.SIZE;
    private static final long NO_PAGE = -1L;

    private final Long2ObjectHashMap<long[]> pages = new Long2ObjectHashMap<>();
    private long size;
    // Consecutive adds almost always hit the same page: remember it to skip the hash lookup.
    private long lastPageKey = NO_PAGE;
    private long[] lastPage;

    /** Adds {@code sequence}; returns false when it was already present. */
    public boolean add(long sequence) {
        long[] page = page(sequence >>> PAGE_SHIFT, true);
        int bit = (int) (sequence & (PAGE_BITS - 1));
        int word = bit >>> 6;
        long mask = 1L << bit;
        if ((page[word] & mask) != 0) {
            return false;
        }
        page[word] |= mask;
        size++;
        return true;
    }

    public boolean contains(long sequence) {
        long[] page = page(sequence >>> PAGE_SHIFT, false);
        if (page == null) {
            return false;
        }
        int bit = (int) (sequence & (PAGE_BITS - 1));
        return (page[bit >>> 6] & (1L << bit)) != 0;
    }

    /** Number of distinct sequences held. */
    public long size() {
        return size;
    }

    /** Calls {@code consumer} with every sequence in ascending unsigned order. */
    public void forEach(LongConsumer consumer) {
        long[] keys = new long[pages.size()];
        int[] n = {0};
        pages.forEachLong((key, page) -> keys[n[0]++] = key);
        // Page keys are sequence >>> 12, never negative, so signed order is unsigned order.
        Arrays.sort(keys);
        for (long key : keys) {
            long[] page = pages.get(key);
            long base = key << PAGE_SHIFT;
            for (int w = 0; w < WORDS_PER_PAGE; w++) {
                long bits = page[w];
                while (bits != 0) {
                    int b = Long.numberOfTrailingZeros(bits);
                    consumer.accept(base + ((long) w << 6) + b);
                    bits &= bits - 1;
                }
            }
        }
    }

    /** The sequences in ascending unsigned order, as a new array. */
    public long[] toSortedArray() {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("size=" + size + " does not fit an array");
        }
        long[] out = new long[(int) size];
        int[] n = {0};
        forEach(s -> out[n[0]++] = s);
        return out;
    }

    private long[] page(long key, boolean create) {
        if (key == lastPageKey) {
            return lastPage;
        }
        long[] page = pages.get(key);
        if (page == null) {
            if (!create) {
                return null;
            }
            page = new long[WORDS_PER_PAGE];
            pages.put(key, page);
        }
        lastPageKey = key;
        lastPage = page;
        return page;
    }
}
