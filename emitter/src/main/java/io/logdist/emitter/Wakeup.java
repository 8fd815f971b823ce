package io.logdist.emitter;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Lets a producer thread wake a session that found nothing to send. The session arms
 * it and then looks again (so a hand-over between the two is not missed); the producer
 * fires it after each hand-over, which runs the session's pump on its event loop once.
 *
 * <p>{@link #arm()} from the session's event loop; {@link #fire()} from any thread.
 */
final class Wakeup {
    private final AtomicBoolean armed = new AtomicBoolean();
    private final Executor loop;
    private final Runnable task;

    Wakeup(Executor loop, Runnable task) {
        this.loop = loop;
        this.task = task;
    }

    void arm() {
        armed.set(true);
    }

    void fire() {
        if (armed.get() && armed.compareAndSet(true, false)) {
            try {
                loop.execute(task);
            } catch (RejectedExecutionException e) {
                // The event loop is shutting down: nobody is waiting for lines any more.
            }
        }
    }
}
