package io.logdist.distributor.link;

/**
 * What every analyzer link shares: this distributor's identity in HELLO, the window it
 * asks for, timing of reconnects, failure detection and slow start, the byte bound of
 * each link's queues, and what to do with a packet rerouted too often.
 *
 * @param linkTimeoutMs     a link with unacknowledged DELIVERs and no ACK for this long is stalled;
 *                          an unanswered PING for this long means down
 * @param maxRetries        reroutes a packet may take before it goes to the dead-letter file
 * @param slowStartMs       ramp from 1% to the full weight after a link comes up (0: none)
 * @param queueBytes        high watermark of bytes queued for one analyzer (inbox + priority queues);
 *                          emitters are slowed above it and resumed below half of it
 * @param failureThreshold  consecutive failures that eject an analyzer (circuit opens)
 * @param ejectionBaseMs    first ejection; each further one doubles, up to {@code ejectionMaxMs}
 * @param ejectionDecayMs   each this long of health forgives one ejection
 */
public record LinkSettings(long instanceId, String name, int linkWindow, int maxFrameLength, long reconnectBaseMs,
                           long reconnectMaxMs, long linkTimeoutMs, int maxRetries, long slowStartMs, long queueBytes,
                           int failureThreshold, long ejectionBaseMs, long ejectionMaxMs, long ejectionDecayMs) {
}
