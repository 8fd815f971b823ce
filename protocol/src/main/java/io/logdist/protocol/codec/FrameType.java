package io.logdist.protocol.codec;

/**
 * LDP/1 frame types with their wire numbers. {@link #of(int)} is an O(1) lookup that
 * answers {@link #UNKNOWN} for numbers the protocol does not define.
 */
public enum FrameType {
    UNKNOWN(-1),
    HELLO(0x01),
    WELCOME(0x02),
    PACKET(0x03),
    DELIVER(0x04),
    ACK(0x05),
    NACK(0x06),
    PING(0x07),
    PONG(0x08),
    ERROR(0x09),
    GOODBYE(0x0A);

    private static final FrameType[] BY_VALUE = new FrameType[256];

    static {
        for (FrameType t : values()) {
            if (t.value < 0) {
                continue;
            }
            if (BY_VALUE[t.value] != null) {
                throw new IllegalStateException("duplicate frame type value " + t.value);
            }
            BY_VALUE[t.value] = t;
        }
    }

    private final int value;

    FrameType(int value) {
        this.value = value;
    }

    /** The number carried in the frame's {@code type} byte. */
    public int value() {
        return value;
    }

    /** The type for a wire number, or {@link #UNKNOWN}. */
    public static FrameType of(int value) {
        if (value < 0 || value > 255) {
            return UNKNOWN;
        }
        FrameType t = BY_VALUE[value];
        return t == null ? UNKNOWN : t;
    }
}
