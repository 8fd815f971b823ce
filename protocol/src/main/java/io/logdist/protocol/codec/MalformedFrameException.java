package io.logdist.protocol.codec;

/**
 * Thrown when a frame's body does not match the layout of its type (truncated or with
 * bytes left over). Maps to {@link ErrorCode#MALFORMED_FRAME}: the stream is closed.
 */
public final class MalformedFrameException extends RuntimeException {
    private final ErrorCode code;

    public MalformedFrameException(String message) {
        this(ErrorCode.MALFORMED_FRAME, message);
    }

    public MalformedFrameException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
