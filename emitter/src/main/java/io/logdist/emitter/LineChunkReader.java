package io.logdist.emitter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.TimeUnit;

/**
 * Reads log lines from a file or standard input on its own thread (reads block, event
 * loops must not) and hands them to the sessions in chunks of one packet's worth.
 *
 * <p>A chunk is a pooled heap buffer holding up to {@code messagesPerPacket} lines, each
 * as a u32 length and its bytes, the way they will sit in the packet. The line ending
 * ({@code \n} or {@code \r\n}) is dropped; a line longer than {@code maxLineBytes} is cut
 * to that length with one warning per run. A chunk is handed over when it is full, or,
 * from an input that may pause, with the whole lines it has when the input has no more to
 * give at once (a quiet log behind a pipe), so no line waits for later ones. Chunks wait in a bounded {@link ChunkQueue},
 * so a slow distributor slows the reading rather than filling memory; any session may
 * take the next one, which spreads lines over the connections.
 *
 * <p>Threads: the reader thread fills the queue; sessions' event loops {@link #poll()}
 * and {@link #subscribe} wakeups; {@link #close()} from any thread.
 */
final class LineChunkReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LineChunkReader.class);
    private static final int READ_BLOCK_BYTES = 64 * 1024;
    private static final int INITIAL_CHUNK_BYTES = 4 * 1024;

    private final InputStream in;
    private final String sourceName;
    private final boolean interruptible;
    private final boolean streaming;
    private final int messagesPerPacket;
    private final int maxLineBytes;
    private final ByteBufAllocator alloc;
    private final OnceWarning truncation;
    private final ChunkQueue chunks;
    private final Thread thread;

    /** Whole lines read so far; written by the reader thread only. */
    private volatile long lines;
    /** Why the input could not be read to its end, or null; written by the reader thread only. */
    private volatile String failure;

    // Reader thread only.
    private ByteBuf chunk;
    private int linesInChunk;
    private int lineStart = -1;
    private int lineLength;
    private long lineFullLength;
    private boolean availableThrows;

    /**
     * @param interruptible whether interrupting the reader thread ends a blocked read
     *                      (true for files, which it also closes at the end; false for
     *                      standard input, which is left open for the process)
     * @param streaming     whether the input may pause (standard input, a named pipe): its
     *                      whole lines are then handed over whenever it has no more at
     *                      once; a regular file is read in full chunks up to its end
     */
    LineChunkReader(InputStream in, String sourceName, boolean interruptible, boolean streaming, int messagesPerPacket,
                    int maxLineBytes, int queueChunks, ByteBufAllocator alloc, OnceWarning truncation) {
        this.in = in;
        this.sourceName = sourceName;
        this.interruptible = interruptible;
        this.streaming = streaming;
        this.messagesPerPacket = messagesPerPacket;
        this.maxLineBytes = maxLineBytes;
        this.alloc = alloc;
        this.truncation = truncation;
        this.chunks = new ChunkQueue(queueChunks);
        this.thread = new Thread(this::run, "emitter-line-reader");
        this.thread.setDaemon(true);
    }

    /** Registers a session to be woken when a chunk arrives or the input ends; before {@link #start()}. */
    void subscribe(Wakeup wakeup) {
        chunks.subscribe(wakeup);
    }

    void start() {
        thread.start();
    }

    /** The next chunk, now owned by the caller, or null when none is waiting. */
    ByteBuf poll() {
        return chunks.poll();
    }

    /** True once the input has ended and every chunk has been taken. */
    boolean finished() {
        return chunks.finished();
    }

    /** Whole lines read from the input so far, sent or not; any thread. */
    long linesRead() {
        return lines;
    }

    /** Why reading stopped before the end of the input (the run then exits 1), or null; any thread. */
    String failure() {
        return failure;
    }

    private void run() {
        byte[] block = new byte[READ_BLOCK_BYTES];
        boolean ended = false;
        try {
            chunk = newChunk();
            int n;
            while (!chunks.closed() && (n = in.read(block)) >= 0) {
                consume(block, n);
                if (streaming && linesInChunk > 0 && nothingMoreAtOnce()) {
                    // The next read would wait (a quiet log behind a pipe): send what is here
                    // rather than hold it until a packet's worth of lines has come.
                    handOverWholeLines();
                }
            }
            if (lineStart >= 0) {
                // A last line without a newline is a line all the same.
                endLine();
            }
            if (linesInChunk > 0) {
                ByteBuf last = chunk;
                chunk = null;
                chunks.offer(last);
            }
            ended = true;
        } catch (ClosedByInterruptException | InterruptedIOException e) {
            ended = true; // close() interrupted a blocked read: the run is over.
        } catch (IOException | RuntimeException e) {
            ended = true;
            // The lines read so far still go out; the run must not pass for one that shipped the whole input.
            failure = "reading " + sourceName + " failed (" + e.getMessage() + "); the lines after "
                + lines + " were not read";
            log.error("emitter: {}", failure);
        } finally {
            if (!ended) { // an Error (out of memory, say), on its way up
                failure = "reading " + sourceName + " stopped after " + lines + " lines";
            }
            if (interruptible) {
                closeInput();
            }
            if (chunk != null) {
                chunk.release();
                chunk = null;
            }
            chunks.end();
        }
    }

    /**
     * True when a read now would wait. On JDK 17 {@code available()} on a stream opened on a
     * named pipe throws ("Illegal seek", fixed in JDK 24): taken as nothing more at once,
     * not as the end of the input.
     */
    private boolean nothingMoreAtOnce() {
        if (availableThrows) {
            return true; // once is enough: not an exception, stack trace and all, per block read
        }
        try {
            return in.available() == 0;
        } catch (IOException e) {
            availableThrows = true;
            return true;
        }
    }

    private void consume(byte[] block, int length) {
        int i = 0;
        while (i < length) {
            if (lineStart < 0) {
                lineStart = chunk.writerIndex();
                chunk.writeInt(0);
                lineLength = 0;
                lineFullLength = 0;
            }
            int newline = indexOfNewline(block, i, length);
            int end = newline < 0 ? length : newline;
            append(block, i, end - i);
            if (newline < 0) {
                return;
            }
            endLine();
            i = newline + 1;
        }
    }

    private void append(byte[] block, int offset, int length) {
        lineFullLength += length;
        int keep = Math.min(length, maxLineBytes - lineLength);
        if (keep > 0) {
            chunk.writeBytes(block, offset, keep);
            lineLength += keep;
        }
    }

    private void endLine() {
        boolean cut = lineFullLength > lineLength;
        if (cut) {
            int kept = Utf8Boundary.cutLength(chunk, lineStart + 4, lineLength);
            chunk.writerIndex(chunk.writerIndex() - (lineLength - kept));
            lineLength = kept;
        }
        if (!cut && lineLength > 0 && chunk.getByte(chunk.writerIndex() - 1) == '\r') {
            chunk.writerIndex(chunk.writerIndex() - 1);
            lineLength--;
        }
        if (cut && truncation.pending()) {
            truncation.warn("emitter: a line of {} bytes in {} is longer than a frame can carry; sent its first {} bytes"
                + " (said once)", lineFullLength, sourceName, lineLength);
        }
        chunk.setInt(lineStart, lineLength);
        lineStart = -1;
        lines++;
        if (++linesInChunk == messagesPerPacket) {
            handOverWholeLines();
        }
    }

    /** Hands over the current chunk's whole lines; a line still being read moves to the next chunk. */
    private void handOverWholeLines() {
        ByteBuf full = chunk;
        chunk = newChunk();
        if (lineStart >= 0) {
            chunk.writeBytes(full, lineStart, full.writerIndex() - lineStart);
            full.writerIndex(lineStart);
            lineStart = 0;
        }
        chunks.offer(full);
    }

    private ByteBuf newChunk() {
        linesInChunk = 0;
        return alloc.heapBuffer(INITIAL_CHUNK_BYTES);
    }

    private void closeInput() {
        try {
            in.close();
        } catch (IOException e) {
            log.debug("closing {} failed", sourceName, e);
        }
    }

    private static int indexOfNewline(byte[] block, int from, int to) {
        for (int i = from; i < to; i++) {
            if (block[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * Stops reading and releases every chunk not yet taken. Waits for the reader thread
     * when its read can be interrupted; a thread blocked on standard input is left to
     * die with the process.
     */
    @Override
    public void close() {
        chunks.close();
        if (interruptible) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        chunks.close();
    }
}
