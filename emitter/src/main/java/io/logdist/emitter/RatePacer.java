package io.logdist.emitter;

/**
 * When a connection's next packet is due. With a rate, messages are spread evenly in
 * time from the start: the packet that begins with the connection's m-th message is
 * due at {@code start + m * nsPerMessage}, so packet k of full packets is due at
 * {@code start + k * interval}. The schedule never slips: a connection that fell behind
 * sends what is overdue at once, and latency is measured from these intended times so
 * that stalls are not hidden (coordinated omission). The one exception is a source that
 * had nothing to send (a quiet log): its wait is nobody's delay, so the schedule
 * {@link #resumeAt resumes} from when it has lines again.
 *
 * <p>Not thread-safe: one per connection, touched only by its event loop.
 */
final class RatePacer {
    private final double nsPerMessage;
    private long startNs;
    private long messagesScheduled;

    /**
     * @param messagesPerSecond total rate; 0 = unpaced
     * @param connections       connections sharing the rate evenly
     */
    RatePacer(long messagesPerSecond, int connections) {
        this.nsPerMessage = messagesPerSecond == 0 ? 0 : 1e9 * connections / messagesPerSecond;
    }

    boolean paced() {
        return nsPerMessage > 0;
    }

    /** Starts the schedule; called once, when the connection is first welcomed. */
    void start(long nowNs) {
        startNs = nowNs;
    }

    /** Intended send time of the next packet; for an unpaced connection, {@code nowNs}. */
    long nextDueNs(long nowNs) {
        if (!paced()) {
            return nowNs;
        }
        return startNs + (long) (messagesScheduled * nsPerMessage);
    }

    /**
     * Moves an overdue schedule on to {@code nowNs}, keeping its pace: for a source that
     * had nothing to send, so that the wait neither counts as latency nor lets the lines
     * that come after it out unpaced. A schedule not yet due is left as it is.
     */
    void resumeAt(long nowNs) {
        if (paced() && nextDueNs(nowNs) < nowNs) {
            startNs = nowNs - (long) (messagesScheduled * nsPerMessage);
        }
    }

    /** Counts a packet of {@code messages} as sent, moving the next due time on. */
    void onSent(int messages) {
        messagesScheduled += messages;
    }
}
