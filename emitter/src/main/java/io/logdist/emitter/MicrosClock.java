package io.logdist.emitter;

import java.util.concurrent.TimeUnit;

/**
 * Wall-clock microseconds since the Unix epoch for packet timestamps, derived from
 * {@link System#nanoTime()} and one reading of the wall clock so that stamping a
 * packet allocates nothing and never goes backwards.
 *
 * <p>Immutable; any thread.
 */
final class MicrosClock {
    private final long epochMicrosAtStart;
    private final long nanoAtStart;

    MicrosClock() {
        this.nanoAtStart = System.nanoTime();
        this.epochMicrosAtStart = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
    }

    long epochMicros(long nanoTime) {
        return epochMicrosAtStart + (nanoTime - nanoAtStart) / 1_000;
    }
}
