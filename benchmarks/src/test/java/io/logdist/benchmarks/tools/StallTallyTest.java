package io.logdist.benchmarks.tools;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StallTallyTest {
    private static final long MS = 1_000_000L;

    @Test
    void shouldIgnoreGapsAtOrBelowTheSmallestThreshold() {
        StallTally tally = new StallTally(2 * MS);
        tally.gap(40);
        tally.gap(100_000);

        assertThat(tally.counts()).containsExactly(0, 0, 0, 0, 0);
        assertThat(tally.stalledNanos()).isZero();
        assertThat(tally.longestNanos()).isZero();
    }

    @Test
    void shouldCountAStallUnderEveryThresholdItExceeds() {
        StallTally tally = new StallTally(2 * MS);
        tally.gap(300_000);   // > 0.1 ms
        tally.gap(3 * MS);    // > 0.1, 0.5, 1, 2 ms
        tally.gap(9 * MS);    // > all five

        assertThat(tally.counts()).containsExactly(3, 2, 2, 2, 1);
        assertThat(tally.stalledNanos()).isEqualTo(12_300_000L);
        assertThat(tally.longestNanos()).isEqualTo(9 * MS);
    }

    @Test
    void shouldSumOnlyTheTimeBeyondTheBudget() {
        StallTally tally = new StallTally(2 * MS);
        tally.gap(1_500_000); // within the budget: nothing beyond it
        tally.gap(3 * MS);    // 1 ms beyond
        tally.gap(9 * MS);    // 7 ms beyond

        assertThat(tally.beyondBudgetNanos()).isEqualTo(8 * MS);
    }

    @Test
    void shouldRefuseANonPositiveBudget() {
        assertThatThrownBy(() -> new StallTally(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
