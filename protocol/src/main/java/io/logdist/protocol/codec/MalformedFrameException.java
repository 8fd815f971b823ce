package io.logdist.protocol.codec;

/**
 * Thrown when a frame's body does not match the layout of its type (truncated or with
 * bytes left over). Maps to {@link ErrorCode#MALFORMED_FRAME}: the stream is closed.
 */
public final class MalformedFrameException extends RuntimeException {
    public MalformedFrameException(String message) {
        super(message, null, false, false);
    }

    public ErrorCode code() {
        return ErrorCode.MALFORMED_FRAME;
    }
}
