package io.logdist.benchmarks.tools;

/**
 * Sums the gaps a spinning thread sees between two consecutive clock reads: each one is
 * time its CPU was taken away (by the guest kernel for a tick, or by the host for much
 * longer). What matters for an ack-latency budget is not the count but how long a packet
 * that needed that CPU would have waited beyond the budget, so that is tallied too.
 *
 * <p>Threads: one, the spinning thread; read after it stops.
 */
final class StallTally {
    /** Gaps above these are counted, in the order {@link #counts()} returns them. */
    static final long[] THRESHOLDS_NANOS = {100_000L, 500_000L, 1_000_000L, 2_000_000L, 5_000_000L};

    private final long budgetNanos;
    private final long[] counts = new long[THRESHOLDS_NANOS.length];
    private long stalledNanos;
    private long beyondBudgetNanos;
    private long longestNanos;

    /** @param budgetNanos the latency budget: a gap's part beyond it is {@link #beyondBudgetNanos()}. */
    StallTally(long budgetNanos) {
        if (budgetNanos <= 0) {
            throw new IllegalArgumentException("budget must be positive, got " + budgetNanos + " ns");
        }
        this.budgetNanos = budgetNanos;
    }

    /** One gap between two clock reads; gaps at or below the smallest threshold are not stalls. */
    void gap(long nanos) {
        if (nanos <= THRESHOLDS_NANOS[0]) {
            return;
        }
        stalledNanos += nanos;
        beyondBudgetNanos += Math.max(0, nanos - budgetNanos);
        longestNanos = Math.max(longestNanos, nanos);
        for (int i = 0; i < THRESHOLDS_NANOS.length && nanos > THRESHOLDS_NANOS[i]; i++) {
            counts[i]++;
        }
    }

    /** Stalls longer than each of {@link #THRESHOLDS_NANOS}; a copy. */
    long[] counts() {
        return counts.clone();
    }

    /** Total length of the stalls (gaps over the smallest threshold). */
    long stalledNanos() {
        return stalledNanos;
    }

    /**
     * Sum over stalls of their length beyond the budget: the time during which a packet
     * arriving for this CPU would wait longer than the budget even if nothing else ran.
     */
    long beyondBudgetNanos() {
        return beyondBudgetNanos;
    }

    long longestNanos() {
        return longestNanos;
    }

    long budgetNanos() {
        return budgetNanos;
    }
}
