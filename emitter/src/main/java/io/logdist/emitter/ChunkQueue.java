package io.logdist.emitter;

import io.netty.buffer.ByteBuf;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Hands buffers ("chunks", each one packet's worth of messages) from a reader thread
 * to the sessions: a bounded queue, so a slow distributor slows the reading rather than
 * filling memory, and the wakeups of sessions that found it empty. Any session may take
 * the next chunk, which spreads the input over the connections.
 *
 * <p>Threads: one producer thread {@link #offer}s and {@link #end}s; sessions' event
 * loops {@link #poll()} and {@link #subscribe}; {@link #close()} from any thread.
 */
final class ChunkQueue {
    private static final long FULL_QUEUE_PARK_NS = TimeUnit.MICROSECONDS.toNanos(200);

    private final ManyToManyConcurrentArrayQueue<ByteBuf> chunks;
    private final List<Wakeup> wakeups = new CopyOnWriteArrayList<>();
    private volatile boolean ended;
    private volatile boolean closed;

    ChunkQueue(int capacity) {
        this.chunks = new ManyToManyConcurrentArrayQueue<>(Math.max(2, capacity));
    }

    /** Registers a session to be woken when a chunk arrives or the input ends; before the producer starts. */
    void subscribe(Wakeup wakeup) {
        wakeups.add(wakeup);
    }

    /** The next chunk, now owned by the caller, or null when none is waiting. */
    ByteBuf poll() {
        return chunks.poll();
    }

    /** True once the producer has ended and every chunk has been taken. */
    boolean finished() {
        return ended && chunks.isEmpty();
    }

    /** True once {@link #close()} was called. */
    boolean closed() {
        return closed;
    }

    /**
     * Producer: hands {@code chunk} over, waiting while the queue is full, and wakes the
     * sessions. After {@link #close()} the chunk is released instead.
     */
    void offer(ByteBuf chunk) {
        while (!chunks.offer(chunk)) {
            if (closed) {
                chunk.release();
                return;
            }
            // Every session is behind: wait for one to take a chunk.
            LockSupport.parkNanos(FULL_QUEUE_PARK_NS);
        }
        wakeAll();
        if (closed) {
            releaseQueued();
        }
    }

    /** Producer: no more chunks will come. */
    void end() {
        ended = true;
        wakeAll();
        if (closed) {
            releaseQueued();
        }
    }

    /** Takes no more chunks and releases every chunk not yet taken. */
    void close() {
        closed = true;
        releaseQueued();
    }

    private void wakeAll() {
        for (Wakeup w : wakeups) {
            w.fire();
        }
    }

    private void releaseQueued() {
        ByteBuf b;
        while ((b = chunks.poll()) != null) {
            b.release();
        }
    }
}
