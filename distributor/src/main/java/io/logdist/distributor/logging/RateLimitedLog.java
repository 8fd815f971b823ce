package io.logdist.distributor.logging;

import org.slf4j.Logger;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Warnings about the same condition at most once per interval. The first warning about a
 * condition is logged at once; the ones that follow within the interval are counted, and
 * the next one logged after it carries {@code suppressed=N}.
 *
 * <p>A condition is a short key naming what went wrong and where, e.g.
 * {@code "nack:a1"}; keys must come from a bounded set (analyzer names, error codes), never
 * from per-packet values.
 *
 * <p>Thread-safe without locks: any thread may call {@link #warn}; a condition's window is
 * one compare-and-set on an {@link AtomicLong}. Meant for warning paths, not for the
 * per-packet path.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final long intervalNs;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        final AtomicLong nextNs;
        final AtomicLong suppressed = new AtomicLong();

        Window(long nowNs) {
            nextNs = new AtomicLong(nowNs);
        }
    }

    public RateLimitedLog(Logger log, long intervalMs) {
        this(log, intervalMs, System::nanoTime);
    }

    RateLimitedLog(Logger log, long intervalMs, LongSupplier nanoClock) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("intervalMs=" + intervalMs + " must be positive");
        }
        this.log = log;
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        this.nanoClock = nanoClock;
    }

    /**
     * Logs {@code format} (SLF4J {@code {}} placeholders) at WARN unless a warning about
     * {@code condition} was logged less than the interval ago.
     *
     * @return true when it was logged
     */
    public boolean warn(String condition, String format, Object... args) {
        long now = nanoClock.getAsLong();
        Window w = windows.computeIfAbsent(condition, k -> new Window(now));
        long next = w.nextNs.get();
        if (now - next < 0 || !w.nextNs.compareAndSet(next, now + intervalNs)) {
            w.suppressed.incrementAndGet();
            return false;
        }
        long suppressed = w.suppressed.getAndSet(0);
        var event = log.atWarn().addKeyValue("condition", condition);
        if (suppressed > 0) {
            event = event.addKeyValue("suppressed", suppressed);
            event.log(format + " (" + suppressed + " more like this suppressed)", args);
        } else {
            event.log(format, args);
        }
        return true;
    }
}
