package io.logdist.distributor.ingest;

import io.logdist.distributor.ingest.EmitterLedger.Admission;
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
        ledger.refuse(3);
        assertThat(ledger.admit(20)).isEqualTo(Admission.ACCEPT);
        ledger.onSafe(20);
        assertThat(ledger.cursor()).isEqualTo(20);
        assertThat(ledger.admit(3)).as("refused, not settled: its resend is new").isEqualTo(Admission.ACCEPT);
        assertThat(ledger.admit(4)).as("never seen, more than a window below: settled elsewhere").isEqualTo(Admission.DUPLICATE);
    }

    @Test
    void shouldNotAnchorOnARefusedFirstPacket() {
        ledger.refuse(999_999);
        assertThat(ledger.admit(5)).isEqualTo(Admission.ACCEPT);
        assertThat(ledger.cursor()).isEqualTo(4);
    }

    @Test
    void shouldPassRefusedSequencesAndAcceptTheirResendAsNew() {
        ledger.admit(1);
        ledger.refuse(2);
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
    void shouldPutBackAnAcceptedPacketThatCouldNotBeTaken() {
        ledger.admit(1);
        ledger.rejectAccepted(1);
        assertThat(ledger.cursor()).isEqualTo(1);
        assertThat(ledger.inFlight()).isZero();
        assertThat(ledger.admit(1)).isEqualTo(Admission.ACCEPT);
    }
}
