package io.logdist.protocol.packet;

/**
 * Byte layout of an LDP/1 packet, the unit routed whole from emitter to analyzer.
 * Offsets are relative to the first byte of the packet.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            crc: CRC-32C of packet bytes [4, end)              |
 *  +---------------------------------------------------------------+
 *  |                      emitterId (u64)                          |
 *  +---------------------------------------------------------------+
 *  |                      sequence (u64)                           |
 *  +---------------------------------------------------------------+
 *  |                timestamp (u64, microseconds)                  |
 *  +---------------+---------------+-------------------------------+
 *  |   priority    |  attributes   |        count (1..65535)       |
 *  +---------------+---------------+-------------------------------+
 *  | count x { u32 length, length bytes of message }             ...
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class PacketDescriptor {
    public static final int CRC_OFFSET = 0;
    public static final int EMITTER_ID_OFFSET = 4;
    public static final int SEQUENCE_OFFSET = 12;
    public static final int TIMESTAMP_OFFSET = 20;
    public static final int PRIORITY_OFFSET = 28;
    public static final int ATTRIBUTES_OFFSET = 29;
    public static final int COUNT_OFFSET = 30;
    public static final int MESSAGES_OFFSET = 32;
    /** Size of the fixed packet header; the smallest packet is this plus one u32 length. */
    public static final int HEADER_LENGTH = MESSAGES_OFFSET;
    /** Size of the length prefix of each message. */
    public static final int MESSAGE_LENGTH_FIELD_SIZE = 4;
    /** First byte covered by the CRC. */
    public static final int CRC_COVERED_OFFSET = EMITTER_ID_OFFSET;
    public static final int MAX_COUNT = 0xFFFF;
    public static final int PRIORITY_LEVELS = 256;

    private PacketDescriptor() {
    }
}
