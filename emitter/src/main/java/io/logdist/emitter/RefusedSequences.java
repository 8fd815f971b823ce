package io.logdist.emitter;

import java.util.Arrays;

/**
 * The sequences a session's NACKs refused, in order: appended by the session's event
 * loop, copied out by any thread (the progress line, the report). An append is amortised
 * O(1): the array doubles when full, so a run with a million NACKs does not copy the
 * whole list on each one.
 *
 * <p>Thread: {@link #add} on the session's event loop only (single writer);
 * {@link #toArray} from any thread. The writer publishes the array before the count, and a
 * reader reads the count before the array, so the array it sees holds at least that many.
 */
final class RefusedSequences {
    private volatile long[] sequences = new long[16];
    private volatile int count;

    void add(long sequence) {
        long[] a = sequences;
        int n = count;
        if (n == a.length) {
            a = Arrays.copyOf(a, n * 2);
        }
        a[n] = sequence;
        sequences = a;
        count = n + 1;
    }

    long[] toArray() {
        int n = count;
        return Arrays.copyOf(sequences, n);
    }
}
