package io.logdist.distributor.link;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    @Test
    void shouldDrawEachDelayBelowAnExponentiallyGrowingCappedCeiling() {
        SplittableRandom r = new SplittableRandom(1);
        Backoff b = new Backoff(50, 10_000, r::nextLong);
        for (int n = 0; n < 40; n++) {
            long ceiling = Math.min(10_000, 50L << Math.min(n, 30));
            assertThat(b.nextDelayMs()).isBetween(0L, ceiling - 1);
        }
        assertThat(b.failures()).isEqualTo(40);
    }

    @Test
    void shouldStartOverAfterASuccess() {
        Backoff b = new Backoff(50, 10_000, () -> Long.MAX_VALUE - 1);
        for (int i = 0; i < 10; i++) {
            b.nextDelayMs();
        }
        b.reset();
        assertThat(b.nextDelayMs()).isLessThan(50);
    }
}
