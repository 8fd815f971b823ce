package io.logdist.protocol.codec;

/**
 * Error codes carried by NACK and ERROR frames, with their wire numbers.
 * {@link #NONE} (0) is not sent on the wire; it is what validation returns for "no error".
 */
public enum ErrorCode {
    NONE(0, false),
    MALFORMED_FRAME(1, false),
    UNSUPPORTED_VERSION(2, false),
    FRAME_TOO_LARGE(3, false),
    BAD_CHECKSUM(4, false),
    MALFORMED_PACKET(5, false),
    UNAUTHORIZED(6, false),
    RATE_LIMITED(7, true),
    OVERLOADED(8, true),
    NO_ANALYZERS(9, true),
    PROTOCOL_VIOLATION(10, false),
    SHUTTING_DOWN(11, true),
    IDLE_TIMEOUT(12, false),
    UNKNOWN(-1, false);

    private static final ErrorCode[] BY_VALUE = new ErrorCode[1 + java.util.Arrays.stream(values()).mapToInt(c -> c.value).max().orElse(0)];

    static {
        for (ErrorCode c : values()) {
            if (c.value < 0) {
                continue;
            }
            if (BY_VALUE[c.value] != null) {
                throw new IllegalStateException("duplicate error code value " + c.value);
            }
            BY_VALUE[c.value] = c;
        }
    }

    private final int value;
    private final boolean transientCondition;

    ErrorCode(int value, boolean transientCondition) {
        this.value = value;
        this.transientCondition = transientCondition;
    }

    /** The number carried on the wire. */
    public int value() {
        return value;
    }

    /** True for conditions that pass by themselves (retry the same bytes later). */
    public boolean isTransient() {
        return transientCondition;
    }

    /** The code for a wire number, or {@link #UNKNOWN}. */
    public static ErrorCode of(int value) {
        if (value < 0 || value >= BY_VALUE.length) {
            return UNKNOWN;
        }
        ErrorCode c = BY_VALUE[value];
        return c == null ? UNKNOWN : c;
    }
}
