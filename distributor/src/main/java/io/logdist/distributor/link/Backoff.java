package io.logdist.distributor.link;

import java.util.function.LongSupplier;

/**
 * Exponential backoff with full jitter: the n-th consecutive failure waits a uniformly
 * random time in {@code [0, min(max, base * 2^n))}, so many links failing together do
 * not reconnect in lockstep.
 *
 * <p>Not thread-safe: owned by one link's event loop.
 */
public final class Backoff {
    private final long baseMs;
    private final long maxMs;
    private final LongSupplier random;
    private int failures;

    /**
     * @param random source of uniformly random non-negative longs (seedable in tests)
     */
    public Backoff(long baseMs, long maxMs, LongSupplier random) {
        this.baseMs = baseMs;
        this.maxMs = maxMs;
        this.random = random;
    }

    /** The delay before the next attempt, counting one more failure. */
    public long nextDelayMs() {
        long ceiling = failures >= 30 ? maxMs : Math.min(maxMs, baseMs << failures);
        failures++;
        return Math.floorMod(random.getAsLong(), Math.max(1, ceiling));
    }

    /** Call when an attempt succeeded: the next failure starts again from {@code base}. */
    public void reset() {
        failures = 0;
    }

    public int failures() {
        return failures;
    }
}
