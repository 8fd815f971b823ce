package io.logdist.analyzer.record;

/**
 * Byte layout of one entry of a record file: what an analyzer writes for every packet it
 * accepts (duplicates included), before the ACK that covers the packet is sent. Entries
 * follow each other with nothing in between; the file has no header.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      emitterId (u64)                          |
 *  +---------------------------------------------------------------+
 *  |                      sequence (u64)                           |
 *  +---------------------------------------------------------------+
 *  |                 count (u32, messages in the packet)           |
 *  +---------------------------------------------------------------+
 *  |    receivedAtMicros (u64, wall clock, microseconds since epoch) |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * All integers are unsigned big-endian, like the wire.
 */
public final class RecordDescriptor {
    public static final int EMITTER_ID_OFFSET = 0;
    public static final int SEQUENCE_OFFSET = 8;
    public static final int COUNT_OFFSET = 16;
    public static final int RECEIVED_AT_MICROS_OFFSET = 20;
    /** Size of one entry: 28 bytes. */
    public static final int RECORD_LENGTH = 28;

    private RecordDescriptor() {
    }
}
