package io.logdist.distributor.loop;

/**
 * A control-plane call waited for an event loop longer than it allows: the loop is busy or
 * stuck, not the request wrong. Whatever the call changed before it waited may have been
 * made, so the admin API answers 503 (AdminRouter, for every request) rather than a
 * conflict or an internal error.
 *
 * <p>Immutable; any thread.
 */
public final class LoopNotAnswering extends RuntimeException {
    public LoopNotAnswering(String what, Throwable cause) {
        super(what + " did not answer: " + cause, cause);
    }
}
