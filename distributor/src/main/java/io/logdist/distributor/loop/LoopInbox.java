package io.logdist.distributor.loop;

import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A bounded many-to-one hand-over of items to one event loop that wakes the loop once
 * per burst: an offer schedules the owner's drain task only when none is pending, so a
 * thousand packets handed over before the loop gets to them cost one task, not a
 * thousand.
 *
 * <p>The drain task must call {@link #drain} (which clears the pending mark before it
 * takes anything): an item offered while a drain runs then schedules the next one, and
 * nothing is left behind without a task to take it.
 *
 * <p>Thread: {@link #offer} from any thread; {@link #drain}, {@link #size} and
 * {@link #isEmpty} on the owner's loop.
 *
 * @param <T> the items handed over
 */
public final class LoopInbox<T> {
    private final ManyToOneConcurrentArrayQueue<T> queue;
    private final AtomicBoolean drainPending = new AtomicBoolean();
    private final Executor loop;
    private final Runnable drainTask;

    /**
     * @param capacity  the most items held; {@link #offer} refuses more
     * @param loop      the owner's event loop, which runs {@code drainTask}
     * @param drainTask the owner's task that calls {@link #drain}
     */
    public LoopInbox(int capacity, Executor loop, Runnable drainTask) {
        this.queue = new ManyToOneConcurrentArrayQueue<>(capacity);
        this.loop = loop;
        this.drainTask = drainTask;
    }

    /** Hands over {@code item}; false when the inbox is full (the caller still owns it). Any thread. */
    public boolean offer(T item) {
        if (!queue.offer(item)) {
            return false;
        }
        // get() first: under a burst the mark is already set, and a plain read is cheaper than a failed CAS
        if (!drainPending.get() && drainPending.compareAndSet(false, true)) {
            loop.execute(drainTask);
        }
        return true;
    }

    /** Takes everything offered so far, in order. Owner's loop. */
    public int drain(Consumer<T> into) {
        drainPending.set(false);
        int drained = queue.drain(into);
        // An offer claims its slot (a CAS) before it stores the item, and the store can reach
        // this thread after the offer read the pending mark as still set: the drain then stops
        // at the empty slot, and no task would come for that item. A slot claimed but not yet
        // taken means exactly that, so schedule the next drain here.
        if (!queue.isEmpty() && drainPending.compareAndSet(false, true)) {
            loop.execute(drainTask);
        }
        return drained;
    }

    public int size() {
        return queue.size();
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }
}
