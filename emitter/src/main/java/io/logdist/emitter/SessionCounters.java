package io.logdist.emitter;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One emitter session's running totals. Written only by the session's event loop (a
 * single writer, so an ordered store of {@code get() + n} is enough and no
 * read-modify-write instruction is needed); read by any thread for snapshots and
 * progress lines.
 */
final class SessionCounters {
    /** New sequences sent (resends of the same sequence after a reconnect are not counted again). */
    static final int PACKETS_SENT = 0;
    static final int MESSAGES_SENT = 1;
    static final int PACKETS_ACKED = 2;
    static final int PACKETS_NACKED = 3;
    static final int MESSAGES_ACKED = 4;
    /** Message payload bytes of acked packets (no headers, no length prefixes). */
    static final int BYTES_ACKED = 5;
    /** Connections welcomed after the first. */
    static final int RECONNECTS = 6;
    static final int ACKED_THROUGH = 7;
    /** Packets left without an ACK when the session finished (drain timeout or close). */
    static final int UNSETTLED_AT_END = 8;
    /** Dials that failed before a connection was made. */
    static final int CONNECT_FAILURES = 9;
    private static final int COUNT = 10;

    private final AtomicLongArray values = new AtomicLongArray(COUNT);

    void add(int counter, long n) {
        values.lazySet(counter, values.get(counter) + n);
    }

    void set(int counter, long value) {
        values.lazySet(counter, value);
    }

    long get(int counter) {
        return values.get(counter);
    }
}
