package io.logdist.distributor.admin;

/**
 * One analyzer as the admin API shows it: configuration, state and counters, taken on
 * the link's event loop at one moment.
 *
 * @param state   {@code up}, {@code slow-start}, {@code paused} (its analyzer NACKed with a retryAfterMillis), {@code draining}, {@code down},
 *                {@code stalled}, {@code ejected} or {@code removed}
 * @param circuit {@code closed}, {@code open} or {@code half-open}
 * @param connectionsUp of its {@code connections} (one per event loop), those taking packets
 */
public record AnalyzerView(String name, String address, double weight, double effectiveWeight, String state, String circuit,
                           long queuedPackets, long queuedBytes, int unacked, long packetsDelivered, long messagesDelivered,
                           long bytesDelivered, long reroutes, long connects, int connectionsUp, int connections) {

    /** Still configured: not removed (a removed analyzer is shown until it has drained). */
    public boolean present() {
        return !"removed".equals(state);
    }
}
