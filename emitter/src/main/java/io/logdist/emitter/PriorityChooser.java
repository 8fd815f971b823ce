package io.logdist.emitter;

import java.util.SplittableRandom;

/**
 * Gives each new packet its priority following a {@link PrioritySpec}. Nothing is
 * allocated per call.
 *
 * <p>Not thread-safe: one per connection, touched only by its event loop.
 */
final class PriorityChooser {
    /** Share of weighted packets that fall in the urgent head 0..7. */
    static final int WEIGHTED_HEAD_PERCENT = 95;
    static final int WEIGHTED_HEAD_LEVELS = 8;
    /**
     * Head priorities laid out so a uniform index picks k with P(k) proportional to
     * 1/(k+1): priority k fills 840/(k+1) slots (840 is the least common multiple of
     * 1..8, so every share is exact).
     */
    private static final byte[] WEIGHTED_HEAD = weightedHead();

    private final PrioritySpec.Mode mode;
    private final int fixed;
    private final SplittableRandom random;
    private int nextCyclic;

    PriorityChooser(PrioritySpec spec, long seed) {
        this.mode = spec.mode();
        this.fixed = spec.fixedPriority();
        this.random = new SplittableRandom(seed);
    }

    int next() {
        switch (mode) {
            case FIXED:
                return fixed;
            case RANDOM:
                return random.nextInt(256);
            case WEIGHTED:
                if (random.nextInt(100) < WEIGHTED_HEAD_PERCENT) {
                    return WEIGHTED_HEAD[random.nextInt(WEIGHTED_HEAD.length)];
                }
                return WEIGHTED_HEAD_LEVELS + random.nextInt(256 - WEIGHTED_HEAD_LEVELS);
            case CYCLIC:
                int p = nextCyclic;
                nextCyclic = (p + 1) & 0xFF;
                return p;
            default:
                throw new IllegalStateException("unknown priority mode " + mode);
        }
    }

    private static byte[] weightedHead() {
        int lcm = 840;
        int total = 0;
        for (int k = 0; k < WEIGHTED_HEAD_LEVELS; k++) {
            total += lcm / (k + 1);
        }
        byte[] table = new byte[total];
        int i = 0;
        for (int k = 0; k < WEIGHTED_HEAD_LEVELS; k++) {
            for (int n = 0; n < lcm / (k + 1); n++) {
                table[i++] = (byte) k;
            }
        }
        return table;
    }
}
