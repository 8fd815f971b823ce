package io.logdist.distributor.ingest;

import io.logdist.distributor.loop.LoopContext;
import io.logdist.distributor.routing.RoutingTable;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Expiry of the emitter table: only idle ledgers of the sweeping loop, and only after the expiry. */
class EmitterLedgersTest {
    private static final long EXPIRY_NS = TimeUnit.MINUTES.toNanos(10);

    private final LoopContext loop = new LoopContext(null, () -> RoutingTable.EMPTY);
    private final LoopContext otherLoop = new LoopContext(null, () -> RoutingTable.EMPTY);
    private final EmitterLedgers ledgers = new EmitterLedgers(64);

    @Test
    void shouldDropAnIdleLedgerAfterTheExpiryAndHandOutAFreshOne() {
        EmitterLedger old = ledgers.get(5, loop);
        old.admit(1);
        old.onSafe(1);
        long now = System.nanoTime();

        assertThat(ledgers.expireIdle(loop, now, EXPIRY_NS)).isZero();
        assertThat(ledgers.expireIdle(loop, now + EXPIRY_NS, EXPIRY_NS)).isEqualTo(1);

        assertThat(old.isRetired()).isTrue();
        assertThat(ledgers.size()).isZero();
        EmitterLedger fresh = ledgers.get(5, loop);
        assertThat(fresh).isNotSameAs(old);
        assertThat(fresh.cursor()).isZero();
    }

    @Test
    void shouldKeepALedgerWithPacketsInFlight() {
        EmitterLedger l = ledgers.get(6, loop);
        l.admit(1);
        long later = System.nanoTime() + 2 * EXPIRY_NS;

        assertThat(ledgers.expireIdle(loop, later, EXPIRY_NS)).isZero();
        l.onSafe(1);
        assertThat(ledgers.expireIdle(loop, later, EXPIRY_NS)).isEqualTo(1);
    }

    @Test
    void shouldLeaveLedgersOfOtherLoopsToThem() {
        ledgers.get(7, otherLoop);
        long later = System.nanoTime() + 2 * EXPIRY_NS;

        assertThat(ledgers.expireIdle(loop, later, EXPIRY_NS)).isZero();
        assertThat(ledgers.expireIdle(otherLoop, later, EXPIRY_NS)).isEqualTo(1);
    }

    @Test
    void shouldNeverHandOutALedgerRetiredButNotYetDropped() {
        EmitterLedger old = ledgers.get(9, loop);
        assertThat(old.retireIfIdle(System.nanoTime() + 2 * EXPIRY_NS, EXPIRY_NS)).isTrue(); // the expiry's first step

        EmitterLedger fresh = ledgers.get(9, otherLoop);

        assertThat(fresh).isNotSameAs(old);
        assertThat(fresh.isRetired()).isFalse();
        assertThat(fresh.owner()).isSameAs(otherLoop);
        assertThat(ledgers.expireIdle(loop, System.nanoTime() + 2 * EXPIRY_NS, EXPIRY_NS)).as("the old one is gone from the table").isZero();
    }

    @Test
    void shouldCountIdleTimeFromAMoveBetweenLoops() throws InterruptedException {
        EmitterLedger l = ledgers.get(8, otherLoop);
        Thread.sleep(1); // the move comes strictly after the creation
        long before = System.nanoTime();
        l.moveTo(loop); // a session is on its way to attach: idle from here, not from its creation
        long after = System.nanoTime();

        // Counted from its creation, it would be expired here already.
        assertThat(ledgers.expireIdle(loop, before + EXPIRY_NS - 1, EXPIRY_NS)).isZero();
        assertThat(ledgers.expireIdle(loop, after + EXPIRY_NS, EXPIRY_NS)).isEqualTo(1);
    }
}
