package io.logdist.protocol.transport;

import java.util.random.RandomGenerator;

/**
 * Reconnect delays: exponential backoff with full jitter. The n-th delay in a row
 * (counting from 0) is uniform over [0, min(cap, base * 2^n)], so many emitters that
 * lost the same distributor do not all knock again at the same instant.
 *
 * Shared by the emitter (redialling the distributor) and the distributor (redialling analyzers).
 *
 * <p>Not thread-safe: one per connection, touched only by its event loop.
 */
public final class Backoff {
    public static final long DEFAULT_BASE_MS = 50;
    public static final long DEFAULT_CAP_MS = 5_000;
    /** Past this many doublings the ceiling is the cap anyway; stops the shift overflowing. */
    private static final int MAX_SHIFT = 30;

    private final long baseMs;
    private final long capMs;
    private final RandomGenerator random;
    private int attempt;

    public Backoff(long baseMs, long capMs, RandomGenerator random) {
        if (baseMs < 1 || capMs < baseMs) {
            throw new IllegalArgumentException("baseMs=" + baseMs + " capMs=" + capMs + " need 1 <= base <= cap");
        }
        this.baseMs = baseMs;
        this.capMs = capMs;
        this.random = random;
    }

    /** The largest delay the n-th attempt in a row may get. */
    public long ceilingMs(int n) {
        return Math.min(capMs, baseMs << Math.min(n, MAX_SHIFT));
    }

    /** Delay before the next attempt; each call counts one more attempt. */
    public long nextDelayMs() {
        long ceiling = ceilingMs(attempt);
        if (attempt < Integer.MAX_VALUE) {
            attempt++;
        }
        return random.nextLong(ceiling + 1);
    }

    /** Attempts since the last {@link #reset()}. */
    public int attempts() {
        return attempt;
    }

    /** Called once a connection is established: the next failure starts from the base again. */
    public void reset() {
        attempt = 0;
    }
}
