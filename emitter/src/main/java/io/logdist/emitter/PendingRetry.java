package io.logdist.emitter;

import io.netty.buffer.ByteBuf;

/**
 * A refused packet waiting out its {@code retryAfterMillis}: it owns the old PACKET
 * frame, whose messages go out again under a new sequence once {@code dueNs} has passed.
 *
 * <p>Held by one session; touched only by its event loop.
 */
record PendingRetry(ByteBuf frame, long intendedNs, int messages, int payloadBytes, long dueNs) {
}
