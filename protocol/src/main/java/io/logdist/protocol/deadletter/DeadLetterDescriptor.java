package io.logdist.protocol.deadletter;

import java.nio.charset.StandardCharsets;

/**
 * Byte layout of a dead-letter file: the packets the distributor gave up delivering and
 * wrote down instead, one packet per record. All integers are unsigned big-endian, like
 * the wire; {@code docs/protocol.md} ("Dead-letter file") has the same layout in prose.
 *
 * <p>The file starts with a 6-byte header, then records follow each other with nothing
 * in between:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |             magic "LDL1" (0x4C 0x44 0x4C 0x31)                |  file offset 0
 *  +-------------------------------+-------------------------------+
 *  |          version = 1          |  first record ...                file offset 4
 *  +-------------------------------+
 * </pre>
 *
 * One record; offsets are relative to its first byte:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            recordLength (bytes after this field)              |  0
 *  +---------------------------------------------------------------+
 *  |        crc: CRC-32C of record bytes [8, 4 + recordLength)     |  4
 *  +---------------------------------------------------------------+
 *  |        writtenAtMicros (u64, microseconds since the epoch)    |  8
 *  +                                                               +
 *  |                                                               |
 *  +-------------------------------+-------------------------------+
 *  |          reroutes (u16)       |     reason length r (u16)     | 16
 *  +-------------------------------+-------------------------------+
 *  |                  reason (r bytes of UTF-8)                  ...  20
 *  +---------------------------------------------------------------+
 *  |                     packetLength p (u32)                      |  20 + r
 *  +---------------------------------------------------------------+
 *  |            packet (p bytes, an LDP/1 packet verbatim)       ...  24 + r
 *  +---------------------------------------------------------------+
 * </pre>
 * {@code recordLength} = 20 + r + p, so a whole record takes 24 + r + p bytes.
 */
public final class DeadLetterDescriptor {
    /** "LDL1" in ASCII. */
    public static final byte[] MAGIC = "LDL1".getBytes(StandardCharsets.US_ASCII);
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int VERSION = 1;
    /** Size of the file header: magic and version. */
    public static final int FILE_HEADER_LENGTH = 6;

    public static final int RECORD_LENGTH_OFFSET = 0;
    public static final int RECORD_LENGTH_FIELD_SIZE = 4;
    public static final int CRC_OFFSET = 4;
    /** First record byte covered by the CRC. */
    public static final int CRC_COVERED_OFFSET = 8;
    public static final int WRITTEN_AT_MICROS_OFFSET = 8;
    public static final int REROUTES_OFFSET = 16;
    public static final int REASON_LENGTH_OFFSET = 18;
    public static final int REASON_OFFSET = 20;
    /** Size of the packet's length field, which follows the reason. */
    public static final int PACKET_LENGTH_FIELD_SIZE = 4;
    /** Smallest {@code recordLength}: every fixed field, an empty reason and an empty packet. */
    public static final int MIN_RECORD_LENGTH = REASON_OFFSET + PACKET_LENGTH_FIELD_SIZE - RECORD_LENGTH_FIELD_SIZE;
    public static final int MAX_REROUTES = 0xFFFF;
    public static final int MAX_REASON_BYTES = 0xFFFF;
    /** File names end with this. */
    public static final String FILE_SUFFIX = ".ldl";

    private DeadLetterDescriptor() {
    }

    /** {@code recordLength} of a record with {@code reasonBytes} of reason and a {@code packetLength}-byte packet. */
    public static long recordLengthFor(int reasonBytes, int packetLength) {
        return (long) MIN_RECORD_LENGTH + reasonBytes + packetLength;
    }
}
