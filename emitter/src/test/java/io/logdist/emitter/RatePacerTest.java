package io.logdist.emitter;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RatePacerTest {
    @Test
    void shouldMakeEveryPacketDueAtOnceWithoutARate() {
        RatePacer pacer = new RatePacer(0, 1);
        pacer.start(1_000);

        assertThat(pacer.paced()).isFalse();
        assertThat(pacer.nextDueNs(5_000)).isEqualTo(5_000);
    }

    @Test
    void shouldDuePacketKAtStartPlusKIntervals() {
        // 1000 msg/s over 2 connections = 500 msg/s each; 10-message packets every 20 ms.
        RatePacer pacer = new RatePacer(1_000, 2);
        pacer.start(7_000);

        for (int k = 0; k < 5; k++) {
            assertThat(pacer.nextDueNs(0)).isEqualTo(7_000 + k * 20_000_000L);
            pacer.onSent(10);
        }
    }

    @Test
    void shouldKeepTheScheduleWhenFallingBehind() {
        RatePacer pacer = new RatePacer(100, 1);
        pacer.start(0);

        long late = 1_000_000_000L;
        assertThat(pacer.nextDueNs(late)).isZero();
        pacer.onSent(1);
        assertThat(pacer.nextDueNs(late)).isEqualTo(10_000_000L);
    }

    @Test
    void shouldResumeAnOverdueScheduleFromNowAtTheSamePace() {
        RatePacer pacer = new RatePacer(100, 1); // 10 ms a message
        pacer.start(0);
        pacer.onSent(3);

        pacer.resumeAt(5_000_000_000L);

        assertThat(pacer.nextDueNs(0)).isEqualTo(5_000_000_000L);
        pacer.onSent(1);
        assertThat(pacer.nextDueNs(0)).isEqualTo(5_010_000_000L);
    }

    @Test
    void shouldLeaveAScheduleThatIsNotDueYetAsItIs() {
        RatePacer pacer = new RatePacer(100, 1);
        pacer.start(0);
        pacer.onSent(3);

        pacer.resumeAt(10_000_000L);

        assertThat(pacer.nextDueNs(0)).isEqualTo(30_000_000L);
    }
}
