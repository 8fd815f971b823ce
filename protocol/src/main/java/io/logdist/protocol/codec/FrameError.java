package io.logdist.protocol.codec;

/**
 * What {@link FrameDecoder} passes up instead of a frame when the byte stream cannot be
 * trusted any more. The handler answers it with an ERROR frame and closes the connection.
 *
 * @param code   the error code to send
 * @param reason a short human-readable reason
 */
public record FrameError(ErrorCode code, String reason) {
}
