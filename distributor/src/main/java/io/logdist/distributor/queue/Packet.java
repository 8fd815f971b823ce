package io.logdist.distributor.queue;

import io.logdist.distributor.ingest.EmitterLedger;
import io.netty.buffer.ByteBuf;
import io.netty.util.Recycler;

/**
 * A packet accepted from an emitter, on its way to an analyzer: the retained bytes as the
 * emitter sent them, plus what routing and acknowledgement need. Pooled (one per packet,
 * never per message) and intrusively linked, so queues allocate nothing.
 *
 * <p>At every moment a packet is in exactly one place: a link's inbox, a link's
 * {@link PriorityQueues}, a link's {@link UnackedDeliveries}, a loop's parked list, or a
 * loop's settle inbox on its way back to the emitter. Whoever holds it owns it; it
 * is handed between threads only through the concurrent queues of those places.
 */
public final class Packet {
    private static final Recycler<Packet> RECYCLER = new Recycler<>() {
        @Override
        protected Packet newObject(Handle<Packet> handle) {
            return new Packet(handle);
        }
    };

    private final Recycler.Handle<Packet> handle;

    /** The packet bytes (a retained slice of the PACKET frame); released once the packet is safe. */
    public ByteBuf bytes;
    public EmitterLedger ledger;
    public long sequence;
    public int count;
    public int priority;
    /** How many times this packet has been rerouted after a link failure or an analyzer's NACK. */
    public int reroutes;
    /** The deliveryId of its current DELIVER, on the link that wrote it. */
    public long deliveryId;
    /** When the PACKET was read ({@link System#nanoTime()}), for the ack latency histogram. */
    public long receivedNanos;
    /** When its current DELIVER was written (the link's clock, once per batch), for the analyzer round-trip histogram. */
    public long deliveredNanos;
    /** Set when the analyzer NACKed the current DELIVER: it is rerouted instead of settled. */
    public boolean refusedByAnalyzer;
    /** With {@link #refusedByAnalyzer}: the NACK asked for a wait (a retryAfterMillis), so the refusal was the analyzer's state, not the packet's fault. */
    public boolean refusedForNow;
    /** Next packet in whatever intrusive list currently holds this one. */
    Packet next;

    private Packet(Recycler.Handle<Packet> handle) {
        this.handle = handle;
    }

    /** Takes a pooled packet and gives it ownership of {@code bytes} (already retained by the caller). */
    public static Packet of(ByteBuf bytes, EmitterLedger ledger, long sequence, int count, int priority) {
        Packet p = RECYCLER.get();
        p.bytes = bytes;
        p.ledger = ledger;
        p.sequence = sequence;
        p.count = count;
        p.priority = priority;
        p.reroutes = 0;
        p.deliveryId = 0;
        p.refusedByAnalyzer = false;
        p.refusedForNow = false;
        p.receivedNanos = System.nanoTime();
        p.deliveredNanos = 0;
        p.next = null;
        return p;
    }

    public int length() {
        return bytes.readableBytes();
    }

    /** Releases the bytes if still held. */
    public void releaseBytes() {
        if (bytes != null) {
            bytes.release();
            bytes = null;
        }
    }

    /** Returns this packet to the pool; its bytes must have been released. Any thread. */
    public void recycle() {
        releaseBytes();
        ledger = null;
        next = null;
        handle.recycle(this);
    }
}
