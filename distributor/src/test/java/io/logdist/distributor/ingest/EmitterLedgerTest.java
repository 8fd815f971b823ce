package io.logdist.distributor.ingest;

import io.logdist.distributor.ingest.EmitterLedger.Admission;
import io.logdist.protocol.codec.ErrorCode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EmitterLedgerTest {

    private final EmitterLedger ledger = new EmitterLedger(7, null, 8);

    @Test
    void shouldAdvanceTheCursorOnlyOverContiguousSafeSequences() {
        for (long s = 1; s <= 4; s++) {
            assertThat(ledger.admit(s)).isEqualTo(Admission.ACCEPT);
        }
        ledger.onSafe(2);
        ledger.onSafe(3);
        assertThat(ledger.cursor()).isZero();
        ledger.onSafe(1);
        assertThat(ledger.cursor()).isEqualTo(3);
        assertThat(ledger.inFlight()).isEqualTo(1);
    }

    @Test
    void shouldTreatSettledSequencesAsDuplicatesAndHeldOnesAsHeld() {
        ledger.admit(1);
        ledger.admit(2);
        ledger.onSafe(1);
        assertThat(ledger.admit(1)).isEqualTo(Admission.DUPLICATE);
        assertThat(ledger.admit(2)).isEqualTo(Admission.HELD);
    }

    @Test
    void shouldRefuseSequencesBeyondTheWindow() {
        assertThat(ledger.admit(1)).isEqualTo(Admission.ACCEPT);
        assertThat(ledger.admit(8)).isEqualTo(Admission.ACCEPT);
        assertThat(ledger.admit(9)).isEqualTo(Admission.OUT_OF_WINDOW);
    }

    @Test
    void shouldResumeAnEmitterItDoesNotKnowAtItsFirstSequence() {
        // A restarted distributor: the emitter resumes at its lowest unacknowledged sequence.
        assertThat(ledger.admit(1157)).isEqualTo(Admission.ACCEPT);
        assertThat(ledger.cursor()).isEqualTo(1156);
        assertThat(ledger.admit(1158)).isEqualTo(Admission.ACCEPT);
        assertThat(ledger.admit(1000)).isEqualTo(Admission.DUPLICATE);
        ledger.onSafe(1157);
        assertThat(ledger.cursor()).isEqualTo(1157);
    }

    @Test
    void shouldTakeAnUnknownSequenceJustBelowTheFirstOneAsNewAndAckNothingUntilItIsSafe() {
        // A restarted distributor: the emitter resends its unsettled 10 and 11, 11 first.
        assertThat(ledger.admit(11)).isEqualTo(Admission.ACCEPT);
        assertThat(ledger.admit(10)).isEqualTo(Admission.ACCEPT);
        ledger.onSafe(11);
        assertThat(ledger.cursor()).isEqualTo(11);
        assertThat(ledger.ackedThrough()).as("10 is not safe yet").isEqualTo(9);
        assertThat(ledger.admit(10)).isEqualTo(Admission.HELD);
        ledger.onSafe(10);
        assertThat(ledger.ackedThrough()).isEqualTo(11);
        assertThat(ledger.admit(10)).isEqualTo(Admission.DUPLICATE);
        assertThat(ledger.inFlight()).isZero();
    }

    @Test
    void shouldTakeTheResendOfARefusedFirstPacketAsNew() {
        ledger.refuse(3, ErrorCode.BAD_CHECKSUM);
        assertThat(ledger.admit(20)).isEqualTo(Admission.ACCEPT);
        ledger.onSafe(20);
        assertThat(ledger.cursor()).isEqualTo(20);
        assertThat(ledger.admit(3)).as("refused, not settled: its resend is new").isEqualTo(Admission.ACCEPT);
        assertThat(ledger.admit(4)).as("never seen, more than a window below: settled elsewhere").isEqualTo(Admission.DUPLICATE);
    }

    @Test
    void shouldSettleARefusalAboveTheFirstGoodPacketAsRefused() {
        // A restarted distributor: the emitter resends 5 (malformed) before 4. Forgetting the
        // refusal of 5 would stop the cursor at 4 for good.
        ledger.refuse(5, ErrorCode.BAD_CHECKSUM);
        ledger.admit(4);
        ledger.onSafe(4);
        ledger.admit(6);
        ledger.onSafe(6);

        assertThat(ledger.cursor()).isEqualTo(6);
        assertThat(ledger.admit(5)).as("refused, not settled: its resend is new").isEqualTo(Admission.ACCEPT);
    }

    @Test
    void shouldNackAgainARefusalAboveASmallerWindowOfTheNextConnection() {
        // The emitter reconnects asking for a window of 2: 6, refused under the old window of
        // 8, must still be NACKed again, or a later cumulative ACK would pass for its settling.
        ledger.admit(1);
        ledger.refuse(6, ErrorCode.BAD_CHECKSUM);
        ledger.attach(null, 2);
        java.util.List<Long> again = new java.util.ArrayList<>();

        ledger.forEachRecentRefusal((sequence, code) -> again.add(sequence));

        assertThat(again).containsExactly(6L);
    }

    @Test
    void shouldNotAnchorOnARefusedFirstPacket() {
        ledger.refuse(999_999, ErrorCode.BAD_CHECKSUM);
        assertThat(ledger.admit(5)).isEqualTo(Admission.ACCEPT);
        assertThat(ledger.cursor()).isEqualTo(4);
    }

    @Test
    void shouldPassRefusedSequencesAndAcceptTheirResendAsNew() {
        ledger.admit(1);
        ledger.refuse(2, ErrorCode.BAD_CHECKSUM);
        ledger.admit(3);
        ledger.onSafe(1);
        ledger.onSafe(3);
        assertThat(ledger.cursor()).isEqualTo(3);
        assertThat(ledger.admit(2)).isEqualTo(Admission.ACCEPT);
        // While the resend of 2 is in flight, a reconnecting emitter is told only what is surely settled.
        assertThat(ledger.ackedThrough()).isEqualTo(1);
        ledger.onSafe(2);
        assertThat(ledger.ackedThrough()).isEqualTo(3);
        assertThat(ledger.admit(2)).isEqualTo(Admission.DUPLICATE);
    }

    @Test
    void shouldTellANewConnectionOfRecentRefusalsBeforeClaimingThemSettled() {
        // 2 was NACKed and the cursor passed it; the NACK may have been lost with the connection.
        ledger.admit(1);
        ledger.admit(2);
        ledger.rejectAccepted(2, ErrorCode.NO_ANALYZERS);
        ledger.admit(3);
        ledger.refuse(4, ErrorCode.BAD_CHECKSUM);
        ledger.onSafe(1);
        ledger.onSafe(3);
        assertThat(ledger.cursor()).isEqualTo(4);

        assertThat(ledger.ackedThrough()).as("WELCOME stops below the refusal").isEqualTo(1);
        java.util.Map<Long, ErrorCode> again = new java.util.TreeMap<>();
        ledger.forEachRecentRefusal(again::put);
        assertThat(again).containsExactly(java.util.Map.entry(2L, ErrorCode.NO_ANALYZERS),
            java.util.Map.entry(4L, ErrorCode.BAD_CHECKSUM));
    }

    @Test
    void shouldForgetRefusalsMoreThanAWindowBelowTheCursor() {
        ledger.admit(1);
        ledger.refuse(2, ErrorCode.BAD_CHECKSUM);
        ledger.onSafe(1);
        for (long s = 3; s <= 20; s++) {
            ledger.admit(s);
            ledger.onSafe(s);
        }
        assertThat(ledger.cursor()).isEqualTo(20);
        assertThat(ledger.ackedThrough()).isEqualTo(20);
        ledger.forEachRecentRefusal((sequence, code) -> {
            throw new AssertionError("no emitter can still hold " + sequence + " unsettled");
        });
        assertThat(ledger.admit(2)).as("a resend of it is still new").isEqualTo(Admission.ACCEPT);
    }

    @Test
    void shouldPutBackAnAcceptedPacketThatCouldNotBeTaken() {
        ledger.admit(1);
        ledger.rejectAccepted(1, ErrorCode.OVERLOADED);
        assertThat(ledger.cursor()).isEqualTo(1);
        assertThat(ledger.inFlight()).isZero();
        assertThat(ledger.admit(1)).isEqualTo(Admission.ACCEPT);
    }
}
