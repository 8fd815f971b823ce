package io.logdist.distributor.loop;

import io.logdist.distributor.ingest.EmitterLedger;
import io.logdist.distributor.link.AnalyzerLink;
import io.logdist.distributor.queue.Packet;
import io.logdist.distributor.queue.PacketList;
import io.logdist.distributor.routing.Router;
import io.logdist.distributor.routing.RoutingTable;
import io.netty.channel.EventLoop;
import org.HdrHistogram.Histogram;


import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What one event loop owns beyond its channels: its {@link Router}, the inbox through
 * which analyzer links hand back packets that became safe, and the packets parked
 * because no analyzer could take them.
 *
 * <p>Thread: every method except {@link #settle(Packet)} runs on {@link #eventLoop()}.
 * {@code settle} may be called from any loop: it goes through a {@link LoopInbox}, so a
 * burst of settlements costs one wake-up, not one task per packet.
 */
public final class LoopContext {
    private static final int SETTLE_INBOX_CAPACITY = 1 << 16;
    private static final long PARK_RETRY_MS = 5;

    private final EventLoop eventLoop;
    private final Router router;
    private final LoopInbox<Packet> settleInbox;
    private final Runnable retryParked = this::retryParked;
    /** Held, not written at the call: a method reference to an instance is a new object each time it is evaluated. */
    private final Consumer<Packet> settleHere = this::settleHere;
    private final List<EmitterLedger> ackDue = new ArrayList<>();
    private final PacketList parked = new PacketList();
    private boolean parkRetryScheduled;
    /** Set by {@link #releaseAll}: the distributor is closing, and nothing will route a parked packet again. */
    private boolean released;

    /** Written only by this loop (settlements are handed to their owner loop first), so no atomics per packet. */
    private final LoopLatency ackLatency = new LoopLatency();

    public LoopContext(EventLoop eventLoop, Supplier<RoutingTable> tables) {
        this.eventLoop = eventLoop;
        this.settleInbox = new LoopInbox<>(SETTLE_INBOX_CAPACITY, eventLoop, this::drainSettled);
        this.router = new Router(tables, this);
    }

    public EventLoop eventLoop() {
        return eventLoop;
    }

    /**
     * Sends a packet towards an analyzer: the router picks the link and charges it; when
     * no analyzer is up or the link's inbox is full, the packet is parked here and tried
     * again shortly. Never drops the packet.
     */
    public void route(Packet p) {
        deliver(p, pick(p.count));
    }

    /** Chooses (and charges) the analyzer for a packet of {@code messages} messages; null when none is up. */
    public AnalyzerLink pick(int messages) {
        return router.route(messages);
    }

    /** Hands a packet to the link {@link #pick} chose, or parks it when there is none or its inbox is full. */
    public void deliver(Packet p, AnalyzerLink link) {
        if (link == null || !link.offer(p)) {
            park(p);
        }
    }

    /** Parks a packet to be routed again with the parked ones, a few milliseconds from now. */
    public void routeLater(Packet p) {
        park(p);
    }

    private void park(Packet p) {
        if (released) {
            // Closing: a packet read, or dropped by a link, after releaseAll would stay parked for good.
            p.recycle();
            return;
        }
        parked.add(p);
        scheduleParkRetry();
    }

    private void scheduleParkRetry() {
        if (!parkRetryScheduled) {
            parkRetryScheduled = true;
            eventLoop.schedule(retryParked, PARK_RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void retryParked() {
        parkRetryScheduled = false;
        Packet p;
        while ((p = parked.poll()) != null) {
            AnalyzerLink link = router.route(p.count);
            if (link == null || !link.offer(p)) {
                // Nothing can take packets now: put it back in front of the rest, in order, and try later.
                parked.addFirst(p);
                scheduleParkRetry();
                return;
            }
        }
    }

    /** Bytes of packets waiting here for an analyzer. */
    public long parkedBytes() {
        return parked.bytes();
    }

    public int parkedPackets() {
        return parked.size();
    }

    /** Hands back a packet that an analyzer acknowledged. Any thread. */
    public void settle(Packet p) {
        if (!settleInbox.offer(p)) {
            // Inbox full: fall back to a task of its own rather than ever dropping a settlement.
            eventLoop.execute(() -> {
                settleHere(p);
                flushAcks();
            });
        }
    }

    private void drainSettled() {
        settleInbox.drain(settleHere);
        flushAcks();
    }

    private void settleHere(Packet p) {
        EmitterLedger ledger = p.ledger;
        LoopContext owner = ledger.owner();
        if (owner != this) {
            // The emitter reconnected on another loop meanwhile: its ledger moved there.
            p.ledger.owner().settle(p);
            return;
        }
        if (ledger.onSafe(p.sequence)) {
            ackDue.add(ledger);
        }
        ackLatency.recordSince(p.receivedNanos, System.nanoTime());
        p.recycle();
    }

    /** Sends one ACK to each emitter whose cursor moved, flushing once per emitter. */
    private void flushAcks() {
        for (int i = 0; i < ackDue.size(); i++) {
            ackDue.get(i).flushAck();
        }
        ackDue.clear();
    }

    /** Adds the ack latencies this loop recorded since the last call to {@code into}. Any thread, one at a time. */
    public void drainAckLatency(Histogram into) {
        ackLatency.drainInto(into);
    }

    /** Takes every parked packet out, e.g. to dead-letter them at shutdown. Loop thread. */
    public void takeParked(PacketList out) {
        out.addAll(parked);
    }

    /**
     * Releases every packet still here, and from now on every packet that would be parked:
     * the distributor is closing and its loops with it. Packets not yet safe are not ACKed.
     */
    public void releaseAll() {
        released = true;
        Packet p;
        while ((p = parked.poll()) != null) {
            p.recycle();
        }
        settleInbox.drain(Packet::recycle);
        ackDue.clear();
    }
}
