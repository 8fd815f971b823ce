package io.logdist.emitter;

import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.deadletter.DeadLetterFiles;
import io.logdist.protocol.deadletter.DeadLetterReader;
import io.logdist.protocol.deadletter.DeadLetterVisitor;
import io.logdist.protocol.packet.PacketFlyweight;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the packets of dead-letter files on its own thread (file reads block, event
 * loops must not) and hands each valid one, copied into a pooled heap buffer, to the
 * sessions through a {@link ChunkQueue}. A packet that fails validation (CRC, layout) is
 * skipped and counted, with a one-line warning.
 *
 * <p>{@link #open} reads every file once before anything is sent, so a missing file or a
 * corrupt record is a usage error up front rather than a replay cut short.
 *
 * <p>Threads: the reader thread fills the queue; sessions' event loops {@link #poll()},
 * {@link #subscribe} and call {@link #onReplayed()}; counters and {@link #close()} from
 * any thread.
 */
final class DeadLetterReplayReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplayReader.class);

    private final List<Path> files;
    private final ByteBufAllocator alloc;
    private final ChunkQueue packets;
    private final Thread thread;
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    /** Reader thread only. */
    private final PacketFlyweight flyweight = new PacketFlyweight();

    private DeadLetterReplayReader(List<Path> files, int queuePackets, ByteBufAllocator alloc) {
        this.files = files;
        this.alloc = alloc;
        this.packets = new ChunkQueue(queuePackets);
        this.thread = new Thread(this::run, "emitter-replay-reader");
        this.thread.setDaemon(true);
    }

    /**
     * Expands each argument (a dead-letter file, or a directory of them) and checks that
     * every file reads whole.
     *
     * @throws IllegalArgumentException saying which file is missing, unreadable or corrupt
     */
    static DeadLetterReplayReader open(List<Path> fileOrDirs, int queuePackets, ByteBufAllocator alloc) {
        List<Path> files = new ArrayList<>();
        for (Path arg : fileOrDirs) {
            try {
                files.addAll(DeadLetterFiles.list(arg));
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("cannot read dead-letter file " + arg + " (no such file)");
            } catch (AccessDeniedException e) {
                throw new IllegalArgumentException("cannot read dead-letter file or directory " + arg + " (permission denied)");
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read dead-letter directory " + arg + " (" + e.getMessage() + ")");
            }
        }
        for (Path file : files) {
            try {
                DeadLetterReader.read(file, (packet, at, reroutes, reason) -> { });
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("cannot read dead-letter file " + file + " (no such file)");
            } catch (AccessDeniedException e) {
                throw new IllegalArgumentException("cannot read dead-letter file " + file + " (permission denied)");
            } catch (IOException e) {
                throw new IllegalArgumentException(e.getMessage());
            }
        }
        return new DeadLetterReplayReader(List.copyOf(files), queuePackets, alloc);
    }

    /** The files to replay, in order. */
    List<Path> files() {
        return files;
    }

    void subscribe(Wakeup wakeup) {
        packets.subscribe(wakeup);
    }

    void start() {
        thread.start();
    }

    /** The next packet to replay (its readable bytes), now owned by the caller, or null when none is waiting. */
    ByteBuf poll() {
        return packets.poll();
    }

    /** True once every file was read and every packet taken. */
    boolean finished() {
        return packets.finished();
    }

    /** A session sent all the messages of one dead-lettered packet. */
    void onReplayed() {
        replayed.incrementAndGet();
    }

    /** Dead-lettered packets whose messages were all sent again. */
    long replayed() {
        return replayed.get();
    }

    /** Dead-lettered packets skipped because they were invalid. */
    long skipped() {
        return skipped.get();
    }

    private void run() {
        try {
            for (Path file : files) {
                if (packets.closed()) {
                    break;
                }
                replay(file);
            }
        } catch (Stopped e) {
            // close() ended the run.
        } finally {
            packets.end();
        }
    }

    private void replay(Path file) {
        long[] record = {0};
        DeadLetterVisitor visitor = (packet, writtenAtMicros, reroutes, reason) -> {
            record[0]++;
            if (packets.closed()) {
                throw new Stopped();
            }
            ErrorCode fault = flyweight.wrap(packet).validate();
            if (fault != ErrorCode.NONE) {
                skipped.incrementAndGet();
                log.warn("emitter: skipping record {} of {}: its packet is invalid ({})", record[0], file, fault);
                return;
            }
            packets.offer(alloc.heapBuffer(packet.readableBytes()).writeBytes(packet, packet.readerIndex(),
                packet.readableBytes()));
        };
        try {
            DeadLetterReader.read(file, visitor);
        } catch (ClosedByInterruptException e) {
            // close() interrupted a read.
        } catch (IOException e) {
            if (!packets.closed()) {
                log.error("emitter: reading {} failed ({}); its later records are not replayed", file, e.getMessage());
            }
        }
    }

    /** Stops reading and releases every packet not yet taken; waits for the reader thread. */
    @Override
    public void close() {
        packets.close();
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        packets.close();
    }

    /** Unwinds the file read when the run is closed. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }
}
