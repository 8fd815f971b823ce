package io.logdist.distributor.loop;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LoopInboxTest {
    /** Holds scheduled tasks until the test runs them, as a busy event loop would. */
    private final ArrayDeque<Runnable> scheduled = new ArrayDeque<>();
    private final List<Integer> drained = new ArrayList<>();
    private LoopInbox<Integer> inbox;

    private void newInbox(int capacity, Runnable drainTask) {
        inbox = new LoopInbox<>(capacity, scheduled::add, drainTask);
    }

    @Test
    void shouldScheduleOneDrainForABurstOfOffers() {
        newInbox(16, () -> inbox.drain(drained::add));

        inbox.offer(1);
        inbox.offer(2);
        inbox.offer(3);

        assertThat(scheduled).hasSize(1);
        scheduled.poll().run();
        assertThat(drained).containsExactly(1, 2, 3);
        assertThat(inbox.isEmpty()).isTrue();
    }

    @Test
    void shouldScheduleAgainForAnOfferAfterTheDrainStarted() {
        // The drain task hands one more item over while it drains: that item needs a task of its own.
        newInbox(16, () -> inbox.drain(i -> {
            drained.add(i);
            if (i == 1) {
                inbox.offer(2);
            }
        }));

        inbox.offer(1);
        scheduled.poll().run();

        assertThat(scheduled).as("a task for the item offered during the drain").hasSize(1);
        scheduled.poll().run();
        assertThat(drained).containsExactly(1, 2);
    }

    @Test
    void shouldRefuseWhenFullAndKeepWhatItHolds() {
        newInbox(2, () -> inbox.drain(drained::add));

        assertThat(inbox.offer(1)).isTrue();
        assertThat(inbox.offer(2)).isTrue();
        assertThat(inbox.offer(3)).isFalse();

        assertThat(inbox.size()).isEqualTo(2);
        scheduled.poll().run();
        assertThat(drained).containsExactly(1, 2);
    }
}
