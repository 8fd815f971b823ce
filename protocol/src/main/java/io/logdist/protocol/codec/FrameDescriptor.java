package io.logdist.protocol.codec;

/**
 * Byte layout of an LDP/1 frame header. Offsets are relative to the first byte of the
 * frame (the first byte of {@code length}).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 length (bytes after this field, >= 4)         |
 *  +---------------+---------------+-------------------------------+
 *  |   version=1   |     type      |           flags = 0           |
 *  +---------------+---------------+-------------------------------+
 *  |                     body (length - 4 bytes)                 ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * All integers are unsigned big-endian.
 */
public final class FrameDescriptor {
    public static final int LENGTH_OFFSET = 0;
    public static final int LENGTH_FIELD_SIZE = 4;
    public static final int VERSION_OFFSET = 4;
    public static final int TYPE_OFFSET = 5;
    public static final int FLAGS_OFFSET = 6;
    /** Offset of the body; also the size of the whole frame header. */
    public static final int BODY_OFFSET = 8;
    public static final int HEADER_LENGTH = BODY_OFFSET;

    /** Smallest legal value of {@code length}: version, type and flags. */
    public static final int MIN_LENGTH = 4;
    public static final int VERSION = 1;
    /** Default {@code maxFrameLength}: 1 MiB, the largest {@code length} a receiver accepts. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 1 << 20;

    private FrameDescriptor() {
    }

    /** Value of the {@code length} field for a frame whose body is {@code bodyLength} bytes. */
    public static int lengthFieldFor(int bodyLength) {
        return MIN_LENGTH + bodyLength;
    }
}
