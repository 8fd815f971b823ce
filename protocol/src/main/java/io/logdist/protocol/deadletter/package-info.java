/**
 * Dead-letter files: where the distributor writes, durably and CRC-checked, the packets
 * it gave up delivering (too many reroutes, or no analyzer while shutting down), so that
 * it may still acknowledge them and nothing acknowledged is lost. {@code emitter --replay}
 * sends them again and {@code audit --dead-letter} counts them as accounted for. Layout:
 * {@link io.logdist.protocol.deadletter.DeadLetterDescriptor}; written by
 * {@link io.logdist.protocol.deadletter.DeadLetterWriter}, read by
 * {@link io.logdist.protocol.deadletter.DeadLetterReader}.
 */
package io.logdist.protocol.deadletter;
