package io.logdist.emitter;

import io.netty.channel.ConnectTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every session of one run shares: the configuration, the latency recorders, the
 * packet budget, the once-per-run warnings and the listener told about session
 * milestones.
 *
 * <p>Thread-safe: used from every session's event loop.
 */
final class RunContext {
    private static final Logger log = LoggerFactory.getLogger(RunContext.class);
    /** At most one "cannot reach" line this often, however many connections fail. */
    static final long UNREACHABLE_WARNING_INTERVAL_NS = TimeUnit.SECONDS.toNanos(3);

    /** Told about session milestones; called on the session's event loop. */
    interface SessionListener {
        void onFirstWelcome(EmitterSession session);

        void onProductionStopped(EmitterSession session, long nowNs);

        void onFinished(EmitterSession session);
    }

    final EmitterConfig config;
    /** Intended send time to ACK, every packet. */
    final LatencyRecorder ackLatency;
    /** Intended send time to write, every packet of a paced run. */
    final LatencyRecorder sendLag;
    /** Null when {@link EmitterConfig#maxPackets()} is 0 (unlimited). */
    final PacketBudget budget;
    final OnceWarning messageTruncation;
    final OnceWarning protocolOddity;
    final SessionListener listener;
    private final AtomicLong lastUnreachableWarningNs = new AtomicLong(Long.MIN_VALUE);
    /** Why the run cannot do what it was asked, once a session found out; null while it can. */
    private final AtomicReference<String> failure = new AtomicReference<>();

    RunContext(EmitterConfig config, LatencyRecorder ackLatency, LatencyRecorder sendLag, SessionListener listener) {
        this.config = config;
        this.ackLatency = ackLatency;
        this.sendLag = sendLag;
        this.budget = config.maxPackets() > 0 ? new PacketBudget(config.maxPackets()) : null;
        this.messageTruncation = new OnceWarning(log);
        this.protocolOddity = new OnceWarning(log);
        this.listener = listener;
    }

    /** Says that the distributor could not be reached, at most once every few seconds. */
    void warnUnreachable(Throwable cause) {
        long now = System.nanoTime();
        long last = lastUnreachableWarningNs.get();
        if ((last == Long.MIN_VALUE || now - last >= UNREACHABLE_WARNING_INTERVAL_NS)
            && lastUnreachableWarningNs.compareAndSet(last, now)) {
            log.warn("emitter: cannot reach {} ({}), retrying", config.distributor(), describe(cause));
        }
    }

    /** A few words for why a connect failed: "connection refused", "timed out", ... */
    static String describe(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "timed out";
        }
        if (cause instanceof UnknownHostException) {
            return "unknown host";
        }
        if (cause instanceof NoRouteToHostException) {
            return "no route to host";
        }
        String message = cause == null ? null : cause.getMessage();
        if (message != null) {
            String m = message.toLowerCase(Locale.ROOT);
            if (m.contains("connection refused")) {
                return "connection refused";
            }
            if (m.contains("timed out")) {
                return "timed out";
            }
            return message;
        }
        return cause == null ? "unknown reason" : cause.getClass().getSimpleName();
    }

    /** Records why the run failed (the first reason wins). Any thread. */
    void fail(String why) {
        failure.compareAndSet(null, why);
    }

    /** Why the run failed, or null. Any thread. */
    String failure() {
        return failure.get();
    }
}
