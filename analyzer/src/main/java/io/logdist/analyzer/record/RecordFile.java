package io.logdist.analyzer.record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads record files ({@link RecordDescriptor}) written by {@link RecordAppender}.
 *
 * <p>A trailing partial entry (a write torn by a crash) is skipped: the analyzer writes an
 * entry before it ACKs the packet, so a torn entry was never acknowledged, and the
 * appender cuts it off when it reopens the file.
 *
 * <p>Stateless; any thread.
 */
public final class RecordFile {
    private static final int READ_BUFFER_RECORDS = 1 << 15;

    private RecordFile() {
    }

    /** One entry, for callers that want a list (tests, small files). */
    public record Entry(long emitterId, long sequence, long count, long receivedAtMicros) {
    }

    /**
     * Calls {@code visitor} for every whole entry of {@code file}, in file order.
     *
     * @return the number of entries read
     * @throws IOException when the file cannot be opened or read
     */
    public static long read(Path file, RecordVisitor visitor) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_RECORDS * RecordDescriptor.RECORD_LENGTH);
        long records = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.remaining() >= RecordDescriptor.RECORD_LENGTH) {
                    int base = buffer.position();
                    visitor.onRecord(
                        buffer.getLong(base + RecordDescriptor.EMITTER_ID_OFFSET),
                        buffer.getLong(base + RecordDescriptor.SEQUENCE_OFFSET),
                        Integer.toUnsignedLong(buffer.getInt(base + RecordDescriptor.COUNT_OFFSET)),
                        buffer.getLong(base + RecordDescriptor.RECEIVED_AT_MICROS_OFFSET));
                    buffer.position(base + RecordDescriptor.RECORD_LENGTH);
                    records++;
                }
                buffer.compact();
            }
        }
        return records;
    }

    /** All entries of {@code file}, in file order. Boxed: for small files only. */
    public static List<Entry> readAll(Path file) throws IOException {
        List<Entry> entries = new ArrayList<>();
        read(file, (emitterId, sequence, count, receivedAtMicros) ->
            entries.add(new Entry(emitterId, sequence, count, receivedAtMicros)));
        return entries;
    }
}
