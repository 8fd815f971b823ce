package io.logdist.protocol.deadletter;

import io.netty.buffer.ByteBuf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * Writes the packets the distributor gives up on to a new dead-letter file
 * ({@link DeadLetterDescriptor}), one CRC-checked record per packet. Every
 * {@link #append} is on disk ({@link FileChannel#force force}) before it returns, so the
 * caller may acknowledge the packet to its emitter as soon as it does.
 *
 * <p>The file is {@code dir/dead-letter-<yyyyMMdd-HHmmss>-<pid>.ldl} (local time of
 * {@link #open}); when that name is taken (two writers opened in the same second by one
 * process) a counter is added, {@code ...-<pid>_2.ldl}, which sorts after the first. It
 * is only ever appended to.
 *
 * <p>When a write fails, the bytes of that record are cut off again so the file stays
 * readable, and the append throws; if even that fails, or forcing to disk fails, the
 * writer stays failed and every later append throws too (the caller must not ACK).
 *
 * <p>Thread-safe: any thread may append (a lock serialises them: this is the rare path);
 * {@link #file()} and {@link #count()} may be read from any thread.
 */
public final class DeadLetterWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWriter.class);
    private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final int MAX_NAME_ATTEMPTS = 1000;

    private final Path file;
    private final FileChannel channel;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final CRC32C crc = new CRC32C();
    private volatile long count;
    // Guarded by lock.
    private long position;
    private boolean closed;
    private IOException failure;

    private DeadLetterWriter(Path file, FileChannel channel, long position, Clock clock) {
        this.file = file;
        this.channel = channel;
        this.position = position;
        this.clock = clock;
    }

    /**
     * Creates {@code dir} if needed and a new dead-letter file in it, header written and
     * on disk.
     *
     * @throws IOException when the directory or the file cannot be created or written
     */
    public static DeadLetterWriter open(Path dir) throws IOException {
        return open(dir, Clock.systemDefaultZone());
    }

    static DeadLetterWriter open(Path dir, Clock clock) throws IOException {
        return open(dir, clock, DeadLetterWriter::forceDirectory);
    }

    /**
     * Creates {@code dir} and any missing parents, each forced into its parent: a directory
     * made is an entry in its parent, which must reach the disk too, or a crash can take the
     * new directory, and the forced files in it, away. A directory that exists is left alone.
     */
    public static void createDirectory(Path dir) throws IOException {
        createDirectory(dir, DeadLetterWriter::forceDirectory);
    }

    static void createDirectory(Path dir, DirectorySync sync) throws IOException {
        List<Path> made = new ArrayList<>();
        for (Path d = dir.toAbsolutePath(); d != null && !Files.isDirectory(d); d = d.getParent()) {
            made.add(d);
        }
        Files.createDirectories(dir);
        for (Path d : made) {
            if (d.getParent() != null) {
                sync.force(d.getParent());
            }
        }
    }

    /** Forces a directory to disk; a seam for tests. */
    @FunctionalInterface
    interface DirectorySync {
        void force(Path dir) throws IOException;
    }

    static DeadLetterWriter open(Path dir, Clock clock, DirectorySync sync) throws IOException {
        createDirectory(dir, sync);
        String base = "dead-letter-" + NAME_TIME.format(LocalDateTime.now(clock)) + "-" + ProcessHandle.current().pid();
        for (int n = 1; ; n++) {
            Path file = dir.resolve(n == 1 ? base + DeadLetterDescriptor.FILE_SUFFIX
                : base + "_" + n + DeadLetterDescriptor.FILE_SUFFIX);
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                if (n == MAX_NAME_ATTEMPTS) {
                    throw e;
                }
                continue;
            }
            try {
                ByteBuffer header = ByteBuffer.allocate(DeadLetterDescriptor.FILE_HEADER_LENGTH)
                    .put(DeadLetterDescriptor.MAGIC)
                    .putShort((short) DeadLetterDescriptor.VERSION)
                    .flip();
                writeFully(channel, header, 0);
                channel.force(true);
                sync.force(dir);
            } catch (IOException e) {
                channel.close();
                // No file without its header: a full disk would otherwise leave one per attempt.
                try {
                    Files.deleteIfExists(file);
                } catch (IOException deleting) {
                    e.addSuppressed(deleting);
                }
                throw new IOException("cannot write dead-letter file " + file + ": " + e.getMessage(), e);
            }
            return new DeadLetterWriter(file, channel, DeadLetterDescriptor.FILE_HEADER_LENGTH, clock);
        }
    }

    /**
     * Forces the directory, so that the new file's name survives a crash as its records do:
     * forcing the file alone does not make its directory entry durable. Linux and macOS allow
     * opening a directory for this; where that is refused, the file system's own ordering is
     * all there is.
     */
    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (UnsupportedOperationException | AccessDeniedException e) {
            // Windows cannot open a directory as a channel: nothing more can be done here.
        }
    }

    /**
     * Appends one record and forces it to disk.
     *
     * @param packet   the readable bytes of one LDP/1 packet; neither consumed nor released
     * @param reroutes how often the packet was rerouted (kept up to 65535)
     * @param reason   why it was given up, e.g. {@code "max retries (5) exceeded"}; cut to
     *                 65535 bytes of UTF-8; {@code null} is empty
     * @throws IOException when the record could not be made durable; it is then not in the file
     */
    public void append(ByteBuf packet, int reroutes, String reason) throws IOException {
        Objects.requireNonNull(packet, "packet");
        int packetLength = packet.readableBytes();
        byte[] reasonBytes = utf8Prefix(reason == null ? "" : reason, DeadLetterDescriptor.MAX_REASON_BYTES);
        long recordLength = DeadLetterDescriptor.recordLengthFor(reasonBytes.length, packetLength);
        long total = DeadLetterDescriptor.RECORD_LENGTH_FIELD_SIZE + recordLength;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("packetLength=" + packetLength + " is too large for a dead-letter record");
        }
        ByteBuffer record = ByteBuffer.allocate((int) total);
        record.putInt((int) recordLength)
            .putInt(0) // crc, below
            .putLong(0) // writtenAtMicros, below, under the lock so that it grows along the file
            .putShort((short) Math.max(0, Math.min(reroutes, DeadLetterDescriptor.MAX_REROUTES)))
            .putShort((short) reasonBytes.length)
            .put(reasonBytes)
            .putInt(packetLength);
        record.limit(record.position() + packetLength);
        packet.getBytes(packet.readerIndex(), record);
        record.flip();

        lock.lock();
        try {
            if (closed) {
                throw new IOException("dead-letter file " + file + " is closed");
            }
            if (failure != null) {
                throw new IOException("dead-letter file " + file + " failed earlier (" + failure.getMessage() + ")", failure);
            }
            record.putLong(DeadLetterDescriptor.WRITTEN_AT_MICROS_OFFSET, epochMicros(clock.instant()));
            crc.reset();
            crc.update(record.duplicate().position(DeadLetterDescriptor.CRC_COVERED_OFFSET));
            record.putInt(DeadLetterDescriptor.CRC_OFFSET, (int) crc.getValue());
            long start = position;
            try {
                writeFully(channel, record, start);
            } catch (IOException e) {
                cutBackTo(start, e);
                throw new IOException("cannot write dead-letter file " + file + ": " + e.getMessage(), e);
            }
            try {
                channel.force(false);
            } catch (IOException e) {
                // After a failed fsync nothing is known about what reached the disk.
                failure = e;
                throw new IOException("cannot force dead-letter file " + file + " to disk: " + e.getMessage(), e);
            }
            position = start + total;
            count++;
        } finally {
            lock.unlock();
        }
    }

    /** Removes a partly written record; if that fails too, the writer is failed for good. */
    private void cutBackTo(long start, IOException cause) {
        try {
            channel.truncate(start);
        } catch (IOException e) {
            cause.addSuppressed(e);
            failure = cause;
        }
    }

    /**
     * True once an append could not be undone or forced to disk: what the file holds is
     * then unknown and every later append throws. A writer whose append failed cleanly
     * (the record cut off again) is not failed and may be appended to later.
     */
    public boolean failed() {
        lock.lock();
        try {
            return failure != null;
        } finally {
            lock.unlock();
        }
    }

    /** The file being written. */
    public Path file() {
        return file;
    }

    /** Records appended by this writer so far. */
    public long count() {
        return count;
    }

    /** Closes the file; later appends throw. Every appended record is already on disk. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            channel.close();
        } catch (IOException e) {
            LOG.warn("closing dead-letter file {} failed: {}", file, e.toString());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "DeadLetterWriter[" + file + ", " + count + " records]";
    }

    private static void writeFully(FileChannel channel, ByteBuffer src, long at) throws IOException {
        long p = at;
        while (src.hasRemaining()) {
            p += channel.write(src, p);
        }
    }

    static long epochMicros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
    }

    /** The UTF-8 bytes of {@code s}, cut at a character boundary to at most {@code max} bytes. */
    static byte[] utf8Prefix(String s, int max) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= max) {
            return bytes;
        }
        int cut = max;
        while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) {
            cut--; // bytes[cut] continues a character: cut before that character starts
        }
        return Arrays.copyOf(bytes, cut);
    }
}
