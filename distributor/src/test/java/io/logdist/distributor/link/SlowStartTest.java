package io.logdist.distributor.link;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SlowStartTest {
    private static final long S = 1_000_000_000L;

    @Test
    void shouldRampLinearlyFromNearZeroToTheFullWeight() {
        assertThat(SlowStart.effectiveWeight(0.4, 0, 10 * S)).isCloseTo(0.004, within(1e-12));
        assertThat(SlowStart.effectiveWeight(0.4, 2_500_000_000L, 10 * S)).isCloseTo(0.1, within(1e-12));
        assertThat(SlowStart.effectiveWeight(0.4, 5 * S, 10 * S)).isCloseTo(0.2, within(1e-12));
        assertThat(SlowStart.effectiveWeight(0.4, 10 * S, 10 * S)).isEqualTo(0.4);
        assertThat(SlowStart.effectiveWeight(0.4, 60 * S, 10 * S)).isEqualTo(0.4);
    }

    @Test
    void shouldGiveTheFullWeightAtOnceWhenDisabled() {
        assertThat(SlowStart.effectiveWeight(0.4, 0, 0)).isEqualTo(0.4);
    }
}
