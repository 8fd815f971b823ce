package io.logdist.distributor.link;

/**
 * Decides whether an analyzer may be tried, from its recent failures.
 *
 * <p>{@code CLOSED} → (after {@code threshold} consecutive failures) {@code OPEN} for an
 * ejection time → {@code HALF_OPEN} (one trial connection) → {@code CLOSED} when the trial
 * succeeds, or {@code OPEN} again when it fails. Each ejection lasts longer than the one
 * before ({@code baseEjection × 2^(ejections-1)}, capped), so a flapping analyzer is
 * kept out for growing times; every {@code decayAfter} of health forgives one ejection.
 *
 * <p>Time comes from the caller (nanoseconds, any origin), so tests drive it with a fake
 * clock. Not thread-safe: owned by one link's event loop.
 */
public final class CircuitBreaker {
    /** Breaker states; names are what the admin API shows. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int threshold;
    private final long baseEjectionNs;
    private final long maxEjectionNs;
    private final long decayAfterNs;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private int ejections;
    private long openUntilNs;
    private long healthySinceNs;

    public CircuitBreaker(int threshold, long baseEjectionNs, long maxEjectionNs, long decayAfterNs) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold=" + threshold + " must be at least 1");
        }
        this.threshold = threshold;
        this.baseEjectionNs = baseEjectionNs;
        this.maxEjectionNs = maxEjectionNs;
        this.decayAfterNs = decayAfterNs;
    }

    public State state() {
        return state;
    }

    public int ejections() {
        return ejections;
    }

    /** True when a connection may be attempted now; moves OPEN to HALF_OPEN once the ejection is over. */
    public boolean allowAttempt(long nowNs) {
        switch (state) {
            case CLOSED, HALF_OPEN -> {
                return true;
            }
            case OPEN -> {
                if (nowNs - openUntilNs >= 0) {
                    state = State.HALF_OPEN;
                    return true;
                }
                return false;
            }
            default -> throw new IllegalStateException("state " + state);
        }
    }

    /** Nanoseconds until an attempt is allowed (0 when it is allowed now). */
    public long remainingEjectionNs(long nowNs) {
        return state == State.OPEN ? Math.max(0, openUntilNs - nowNs) : 0;
    }

    /** The analyzer proved healthy (handshake done and ACKs flowing). */
    public void onSuccess(long nowNs) {
        if (state != State.CLOSED) {
            state = State.CLOSED;
            healthySinceNs = nowNs;
        }
        consecutiveFailures = 0;
    }

    /** Called regularly while healthy: forgives one ejection per {@code decayAfter} of health. */
    public void onHealthy(long nowNs) {
        if (state == State.CLOSED && ejections > 0 && nowNs - healthySinceNs >= decayAfterNs) {
            ejections--;
            healthySinceNs = nowNs;
        }
    }

    /**
     * A connection failed, dropped or stalled.
     *
     * @return true when this failure opened the breaker (the analyzer is ejected)
     */
    public boolean onFailure(long nowNs) {
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= threshold) {
            ejections++;
            long ejection = ejections >= 30 ? maxEjectionNs : Math.min(maxEjectionNs, baseEjectionNs << (ejections - 1));
            openUntilNs = nowNs + ejection;
            state = State.OPEN;
            consecutiveFailures = 0;
            return true;
        }
        return false;
    }

    /** How long the current (or last) ejection lasts. */
    public long currentEjectionNs() {
        return ejections == 0 ? 0 : Math.min(maxEjectionNs, baseEjectionNs << Math.min(ejections - 1, 30));
    }
}
