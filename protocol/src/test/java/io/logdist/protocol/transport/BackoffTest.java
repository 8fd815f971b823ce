package io.logdist.protocol.transport;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {
    @Test
    void shouldDoubleTheCeilingFromTheBaseUpToTheCap() {
        Backoff backoff = new Backoff(50, 5_000, new Random(1));

        assertThat(LongStream.range(0, 10).map(n -> backoff.ceilingMs((int) n)).toArray())
            .containsExactly(50, 100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000, 5_000);
        assertThat(backoff.ceilingMs(Integer.MAX_VALUE)).isEqualTo(5_000);
    }

    @Test
    void shouldKeepEveryDelayWithinZeroAndTheCeilingOfItsAttempt() {
        Backoff backoff = new Backoff(50, 5_000, new Random(42));

        for (int n = 0; n < 100; n++) {
            long ceiling = Math.min(5_000, 50L << Math.min(n, 30));
            assertThat(backoff.nextDelayMs()).as("attempt %d", n).isBetween(0L, ceiling);
        }
        assertThat(backoff.attempts()).isEqualTo(100);
    }

    @Test
    void shouldSpreadDelaysOverTheWholeRangeRatherThanBunchingAtTheCeiling() {
        Backoff backoff = new Backoff(50, 5_000, new Random(7));
        for (int n = 0; n < 10; n++) {
            backoff.nextDelayMs(); // past the doublings: every later delay is in [0, 5000]
        }

        long[] delays = LongStream.range(0, 2_000).map(i -> backoff.nextDelayMs()).toArray();

        assertThat(LongStream.of(delays).min().orElseThrow()).isLessThan(250);
        assertThat(LongStream.of(delays).max().orElseThrow()).isGreaterThan(4_750);
        assertThat(LongStream.of(delays).average().orElseThrow()).isBetween(2_250.0, 2_750.0);
    }

    @Test
    void shouldStartFromTheBaseAgainAfterReset() {
        Backoff backoff = new Backoff(50, 5_000, new Random(3));
        for (int n = 0; n < 8; n++) {
            backoff.nextDelayMs();
        }

        backoff.reset();

        assertThat(backoff.attempts()).isZero();
        assertThat(backoff.nextDelayMs()).isBetween(0L, 50L);
    }

    @Test
    void shouldGiveTheSameDelaysForTheSameSeed() {
        Backoff a = new Backoff(50, 5_000, new Random(99));
        Backoff b = new Backoff(50, 5_000, new Random(99));

        for (int n = 0; n < 20; n++) {
            assertThat(a.nextDelayMs()).isEqualTo(b.nextDelayMs());
        }
    }

    @Test
    void shouldRefuseABaseAboveTheCap() {
        assertThatThrownBy(() -> new Backoff(100, 50, new Random())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(0, 50, new Random())).isInstanceOf(IllegalArgumentException.class);
    }

    @Property(tries = 200)
    void delayNeverExceedsTheCeilingOfItsAttempt(@ForAll @IntRange(max = 70) int attempts, @ForAll long seed) {
        Backoff backoff = new Backoff(50, 5_000, new Random(seed));
        for (int n = 0; n < attempts; n++) {
            backoff.nextDelayMs();
        }
        long ceiling = backoff.ceilingMs(attempts);

        assertThat(backoff.nextDelayMs()).isBetween(0L, ceiling);
    }
}
