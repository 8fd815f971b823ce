package io.logdist.analyzer.record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends entries ({@link RecordDescriptor}) to a record file.
 *
 * <p>{@link #append} only buffers; {@link #flush} hands everything buffered to the OS with
 * {@link FileChannel#write}. The analyzer flushes before it sends the ACK covering those
 * packets, so a process kill loses nothing that was ACKed (a machine crash could: there is
 * no fsync, by design). The file is opened in append mode and survives restarts.
 *
 * <p>Once a write fails the appender stays failed and every later {@link #flush} throws:
 * the entries that did not reach the file are gone, and no connection may ACK past them.
 *
 * <p>Not thread-safe: the analyzer's single event loop is the only caller.
 */
public final class RecordAppender implements AutoCloseable {
    private static final int BUFFER_RECORDS = 4096;

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_RECORDS * RecordDescriptor.RECORD_LENGTH);
    private IOException failure;

    private RecordAppender(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Opens {@code file} for appending, creating it if needed. A partial entry at the end
     * (a write torn by a crash, never ACKed) is cut off so the entries that follow stay
     * aligned.
     */
    public static RecordAppender open(Path file) throws IOException {
        try (FileChannel trim = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long size = trim.size();
            long whole = size - size % RecordDescriptor.RECORD_LENGTH;
            if (whole != size) {
                trim.truncate(whole);
            }
        }
        return new RecordAppender(file, FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    }

    public Path file() {
        return file;
    }

    /** Buffers one entry; writes the buffer out first when it is full. */
    public void append(long emitterId, long sequence, long count, long receivedAtMicros) throws IOException {
        if (buffer.remaining() < RecordDescriptor.RECORD_LENGTH) {
            flush();
        }
        buffer.putLong(emitterId).putLong(sequence).putInt((int) count).putLong(receivedAtMicros);
    }

    /** Writes every buffered entry to the file (through to the OS, not synced to disk). */
    public void flush() throws IOException {
        if (failure != null) {
            throw failure;
        }
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            failure = new IOException("cannot write record file " + file + ": " + e.getMessage(), e);
            throw failure;
        } finally {
            buffer.clear();
        }
    }

    /** Why a write failed, after which nothing more can be recorded; null while none has. Its event loop only. */
    public IOException failure() {
        return failure;
    }

    /** Flushes, then closes the file. */
    @Override
    public void close() throws IOException {
        try {
            if (failure == null) {
                flush();
            }
        } finally {
            channel.close();
        }
    }
}
