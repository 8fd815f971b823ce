package io.logdist.distributor.link;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The breaker against a fake clock: no sleeps. */
class CircuitBreakerTest {
    private static final long S = 1_000_000_000L;
    private final CircuitBreaker breaker = new CircuitBreaker(3, S, 8 * S, 30 * S);
    private long now = 1_000 * S;

    @Test
    void shouldOpenAfterConsecutiveFailuresAndRefuseAttemptsUntilTheEjectionEnds() {
        assertThat(breaker.onFailure(now)).isFalse();
        assertThat(breaker.onFailure(now)).isFalse();
        assertThat(breaker.onFailure(now)).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.allowAttempt(now + S / 2)).isFalse();
        assertThat(breaker.remainingEjectionNs(now + S / 2)).isEqualTo(S / 2);
        assertThat(breaker.allowAttempt(now + S)).isTrue();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    }

    @Test
    void shouldCloseWhenTheHalfOpenTrialSucceeds() {
        trip();
        now += S;
        breaker.allowAttempt(now);
        breaker.onSuccess(now);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.onFailure(now)).as("one failure after recovery does not eject").isFalse();
    }

    @Test
    void shouldEjectAFlappingAnalyzerForLongerEachTimeUpToTheCap() {
        long[] ejections = new long[6];
        for (int i = 0; i < ejections.length; i++) {
            if (i == 0) {
                trip();
            } else {
                now += breaker.currentEjectionNs();
                assertThat(breaker.allowAttempt(now)).isTrue();
                // The trial connection fails again: straight back to open, for longer.
                assertThat(breaker.onFailure(now)).isTrue();
            }
            ejections[i] = breaker.currentEjectionNs();
        }
        assertThat(ejections).containsExactly(S, 2 * S, 4 * S, 8 * S, 8 * S, 8 * S);
    }

    @Test
    void shouldForgiveOneEjectionPerPeriodOfHealth() {
        trip();
        now += S;
        breaker.allowAttempt(now);
        assertThat(breaker.onFailure(now)).isTrue();
        assertThat(breaker.ejections()).isEqualTo(2);
        now += 2 * S;
        breaker.allowAttempt(now);
        breaker.onSuccess(now);
        breaker.onHealthy(now + 29 * S);
        assertThat(breaker.ejections()).isEqualTo(2);
        breaker.onHealthy(now + 30 * S);
        assertThat(breaker.ejections()).isEqualTo(1);
        breaker.onHealthy(now + 60 * S);
        assertThat(breaker.ejections()).isZero();
        trip();
        assertThat(breaker.currentEjectionNs()).as("back to the first ejection time").isEqualTo(S);
    }

    private void trip() {
        breaker.onFailure(now);
        breaker.onFailure(now);
        breaker.onFailure(now);
    }
}
