package io.logdist.distributor.deadletter;

import io.logdist.distributor.link.DeadLetters;
import io.logdist.distributor.queue.Packet;
import io.logdist.protocol.deadletter.DeadLetterWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The distributor's dead-letter file: opened on the first packet that needs it (no empty
 * files), each packet written and forced to disk before it counts as safe.
 *
 * <p>Thread-safe: links on any loop write here; this is the rare path (a packet rerouted
 * more than {@code --max-retries} times, or left over at shutdown), so a lock and a
 * blocking write are acceptable.
 */
public final class DeadLetterSink implements DeadLetters, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterSink.class);
    /** How long a sink that could not write waits before it tries again. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(10);

    private final Path dir;
    private final long retryAfterNs;
    private final Object lock = new Object();
    /** Written under the lock; volatile so that count() and file() can read it without (the writer's own are safe from any thread). */
    private volatile DeadLetterWriter writer;
    /**
     * Records written, in every file so far: one counter written under the lock, so that a
     * reader never sees it go down (a Prometheus counter that drops reads as a reset).
     */
    private volatile long written;
    /** Under the lock: while failing, when to try again ({@link System#nanoTime()}). */
    private boolean failing;
    private long retryAtNs;

    public DeadLetterSink(Path dir) {
        this(dir, RETRY_AFTER);
    }

    DeadLetterSink(Path dir, Duration retryAfter) {
        this.dir = dir;
        this.retryAfterNs = retryAfter.toNanos();
    }

    /**
     * Checks at startup that {@code dir} is (or can be made) a writable directory: the file is
     * opened only when the first packet needs it, which is too late to learn it cannot be.
     *
     * @throws IllegalArgumentException saying why it cannot be used
     */
    public static void requireUsable(Path dir) {
        try {
            DeadLetterWriter.createDirectory(dir); // made durable now: the first file may come much later
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException("cannot use the dead-letter directory " + dir + " (a file of that name exists)");
        } catch (IOException e) {
            String why = e instanceof AccessDeniedException ? "permission denied" : e.getMessage();
            throw new IllegalArgumentException("cannot use the dead-letter directory " + dir + " (" + why + ")");
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("cannot use the dead-letter directory " + dir + " (not writable)");
        }
    }

    /**
     * Writes {@code p} and forces it to disk; false when it could not (the caller keeps the
     * packet). After a failure (a full disk, say) nothing is tried for a while, then it is
     * tried again: in a new file when the old one's state is unknown after a failed fsync.
     */
    @Override
    public boolean write(Packet p, String reason) {
        synchronized (lock) {
            long now = System.nanoTime();
            if (failing && now - retryAtNs < 0) {
                return false;
            }
            try {
                if (writer == null) {
                    writer = DeadLetterWriter.open(dir);
                    LOG.warn("dead letters go to {}", writer.file());
                }
                writer.append(p.bytes, p.reroutes, reason);
                written++;
                if (failing) {
                    failing = false;
                    LOG.warn("dead-letter file {} is written again", writer.file());
                }
                return true;
            } catch (IOException e) {
                // Without a place to write, packets keep being rerouted rather than dropped.
                if (!failing) {
                    LOG.error("cannot write the dead-letter file in {} ({}); packets keep being rerouted, and it is tried"
                        + " again every {} s", dir, e.getMessage(), TimeUnit.NANOSECONDS.toSeconds(retryAfterNs));
                }
                failing = true;
                retryAtNs = now + retryAfterNs;
                if (writer != null && writer.failed()) {
                    writer.close();
                    writer = null;
                }
                return false;
            }
        }
    }

    @Override
    public long count() {
        return written;
    }

    /** The file written so far, or null when none was needed. */
    public Path file() {
        DeadLetterWriter w = writer;
        return w == null ? null : w.file();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (writer != null) {
                writer.close();
            }
        }
    }
}
