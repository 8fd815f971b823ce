package io.logdist.emitter;

import org.slf4j.Logger;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A warning worth saying once per run (a truncated line, a distributor that breaks the
 * protocol the same way over and over), however many connections hit it.
 *
 * <p>Thread-safe.
 */
final class OnceWarning {
    private final Logger log;
    private final AtomicBoolean said = new AtomicBoolean();

    OnceWarning(Logger log) {
        this.log = log;
    }

    /** True until the warning has been said; lets hot paths skip building its arguments. */
    boolean pending() {
        return !said.get();
    }

    void warn(String format, Object... args) {
        if (!said.get() && said.compareAndSet(false, true)) {
            log.warn(format, args);
        }
    }
}
