package io.logdist.distributor.link;

import io.logdist.distributor.admin.AnalyzerView;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.loop.LoopContext;
import io.logdist.distributor.routing.RoutingTables;
import io.logdist.protocol.transport.Transport;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * One configured analyzer: one {@link AnalyzerLink} (connection) to it on each event
 * loop, so a packet is routed, written and settled on the loop that read it, with no
 * hand-over between threads. Routing, failure and reconnects are per link; what the
 * operator sees and controls (weight, drain, remove, the admin view and the metrics) is
 * per analyzer, summed or combined here.
 *
 * <p>Thread-safe: the control plane. Each link keeps to its own loop.
 */
public final class AnalyzerLinks {
    /** The links' logger: an analyzer's lines, its own and its connections', come from one logger. */
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzerLink.class);
    /** The longest wait a NACK's retryAfterMillis can impose: an analyzer cannot park its links for days. */
    static final long MAX_HOLD_OFF_MS = 60_000;
    /** From best to worst: the analyzer shows the best state among its links. */
    private static final List<String> STATE_ORDER = List.of("up", "slow-start", "paused", "draining", "stalled", "down", "ejected", "removed");

    private final AnalyzerSpec spec;
    private final List<AnalyzerLink> links;
    private final RoutingTables tables;
    private final AtomicBoolean removedLogged = new AtomicBoolean();
    /** The analyzer asked for time: while set, none of its links takes packets. */
    private final AtomicBoolean heldOff = new AtomicBoolean();
    /** Until when (on {@link #clock}); only moves later while held off. */
    private final AtomicLong holdOffUntilNs = new AtomicLong();
    /** {@link System#nanoTime()}, but for tests of the hold-off's races. */
    private final LongSupplier clock;
    /** The configured weight, one for all the links; each link ramps it on its own (slow start). */
    private volatile double weight;

    /**
     * Creates one link on each of {@code loops} (not yet dialling) and lists them in {@code tables}.
     *
     * @param slowStartFirstConnection ramp the weight up on the first connection too (an analyzer added at runtime)
     */
    public AnalyzerLinks(AnalyzerSpec spec, List<LoopContext> loops, RoutingTables tables, Transport transport,
                         LinkSettings settings, DeadLetters deadLetters, boolean slowStartFirstConnection) {
        this(spec, loops, tables, transport, settings, deadLetters, slowStartFirstConnection, System::nanoTime);
    }

    AnalyzerLinks(AnalyzerSpec spec, List<LoopContext> loops, RoutingTables tables, Transport transport,
                  LinkSettings settings, DeadLetters deadLetters, boolean slowStartFirstConnection, LongSupplier clock) {
        this.clock = clock;
        this.spec = spec;
        this.weight = spec.weight();
        this.tables = tables;
        List<AnalyzerLink> created = new ArrayList<>(loops.size());
        for (int i = 0; i < loops.size(); i++) {
            created.add(new AnalyzerLink(this, i, loops.size(), spec, loops.get(i), tables, transport, settings, deadLetters,
                slowStartFirstConnection));
        }
        this.links = Collections.unmodifiableList(created);
        links.forEach(tables::add);
    }

    public String name() {
        return spec.name();
    }

    public AnalyzerSpec spec() {
        return spec;
    }

    /** The connections to this analyzer, one per event loop. */
    public List<AnalyzerLink> links() {
        return links;
    }

    /** Starts every link dialling. */
    public void start() {
        links.forEach(AnalyzerLink::start);
    }

    /** How many of its links take part in routing. */
    public int linksUp() {
        int n = 0;
        for (AnalyzerLink l : links) {
            if (l.isRoutable()) {
                n++;
            }
        }
        return n;
    }

    /** The configured weight. Any thread. */
    public double weight() {
        return weight;
    }

    /** Changes the weight, which all its links read, and publishes the table; routing follows at once. */
    public void setWeight(double w) {
        weight = AnalyzerSpec.checkWeight(w, w);
        tables.publish();
    }

    /**
     * The analyzer asked one of its links for time (a NACK with a retryAfterMillis: "the
     * sender may send that packet again ... after retryAfterMillis"): none of its links
     * takes packets until then, at most {@value #MAX_HOLD_OFF_MS} ms. The flag is the
     * analyzer's, so every loop sees it at once: a loop whose own link is out falls back on
     * the other loops' links, and none of them may take the refused packet meanwhile. What
     * is queued on the links goes elsewhere; with no other analyzer up, packets park on their
     * loops until one takes them. From {@code from}'s event loop; the end is scheduled there.
     */
    void holdOff(AnalyzerLink from, long retryAfterMillis) {
        long now = clock.getAsLong();
        long until = now + TimeUnit.MILLISECONDS.toNanos(Math.min(retryAfterMillis, MAX_HOLD_OFF_MS));
        holdOffUntilNs.accumulateAndGet(until, (a, b) -> a - b >= 0 ? a : b);
        if (heldOff.compareAndSet(false, true)) {
            beginHoldOff(from, until - now);
        }
    }

    /** Takes the analyzer out of routing and sends what its links hold elsewhere. {@code from}'s loop. */
    private void beginHoldOff(AnalyzerLink from, long forNs) {
        tables.publish();
        for (AnalyzerLink l : links) {
            if (l != from) {
                l.rerouteQueuedLater();
            }
        }
        from.rerouteQueued();
        from.loop().eventLoop().schedule(() -> endHoldOff(from), forNs, TimeUnit.NANOSECONDS);
    }

    /** Ends the hold-off once its time, perhaps pushed later by more NACKs, has come. {@code on}'s loop. */
    private void endHoldOff(AnalyzerLink on) {
        long left = holdOffUntilNs.get() - clock.getAsLong();
        if (left > 0) {
            on.loop().eventLoop().schedule(() -> endHoldOff(on), left, TimeUnit.NANOSECONDS);
            return;
        }
        heldOff.set(false);
        // A NACK on another loop may have pushed the time later after the check above, and
        // found the flag still set, so it began nothing: begin again for it.
        left = holdOffUntilNs.get() - clock.getAsLong();
        if (left > 0 && heldOff.compareAndSet(false, true)) {
            beginHoldOff(on, left);
            return;
        }
        tables.publish();
    }

    /** True while the analyzer is held off ({@link #holdOff}). Any thread. */
    public boolean isHeldOff() {
        return heldOff.get();
    }

    /**
     * Takes no new packets; finishes what it holds, then stays connected and idle.
     *
     * @param by who asked, for the log
     */
    public void drain(String by) {
        logDraining("draining", by);
        links.forEach(AnalyzerLink::drain);
    }

    /** Drains, then closes every link; completes once none holds anything. {@code by}: who asked, for the log. */
    public CompletableFuture<Void> remove(String by) {
        logDraining("draining to be removed", by);
        CompletableFuture<?>[] each = new CompletableFuture<?>[links.size()];
        for (int i = 0; i < each.length; i++) {
            each[i] = links.get(i).remove();
        }
        return CompletableFuture.allOf(each).thenRun(this::logRemoved);
    }

    private void logDraining(String what, String by) {
        AnalyzerView v = view();
        LOG.atInfo().addKeyValue("analyzer", spec.name()).addKeyValue("by", by).log("analyzer {} {} ({}): no new packets, {} queued and {} unacknowledged to finish",
            spec.name(), what, by, v.queuedPackets(), v.unacked());
    }

    private void logRemoved() {
        // Every request for the removal completes through here; say it once.
        if (removedLogged.compareAndSet(false, true)) {
            LOG.atInfo().addKeyValue("analyzer", spec.name()).log("analyzer {} removed", spec.name());
        }
    }

    /** Takes its links off the distributor's list (once removed), undoing what the constructor listed. */
    public void unlist() {
        links.forEach(tables::remove);
    }

    /** Closes every link for good (the distributor stops); what they hold is released, not rerouted. */
    public void close() {
        links.forEach(AnalyzerLink::close);
    }

    public long packetsDelivered() {
        return sum(AnalyzerLink::packetsDelivered);
    }

    public long messagesDelivered() {
        return sum(AnalyzerLink::messagesDelivered);
    }

    public long reroutedAway() {
        return sum(AnalyzerLink::reroutedAway);
    }

    /** Connections made, over all its links. */
    public long connects() {
        return sum(AnalyzerLink::connects);
    }

    private long sum(ToLongFunction<AnalyzerLink> counter) {
        long n = 0;
        for (AnalyzerLink l : links) {
            n += counter.applyAsLong(l);
        }
        return n;
    }

    /** Adds every link's round trips since the previous call to {@code into}. One caller at a time. */
    public void drainRoundTrip(Histogram into) {
        links.forEach(l -> l.drainRoundTrip(into));
    }

    /**
     * The admin view: counters and queues summed over the links, the state and circuit of
     * the link in the best state (the analyzer is up while any connection to it is), the
     * largest effective weight (links ramp up on their own). Blocks briefly on each loop.
     */
    public AnalyzerView view() {
        AnalyzerView best = null;
        long queuedPackets = 0;
        long queuedBytes = 0;
        int unacked = 0;
        long packets = 0;
        long messages = 0;
        long bytes = 0;
        long reroutes = 0;
        long connects = 0;
        int connectionsUp = 0;
        double effectiveWeight = 0;
        for (AnalyzerLink l : links) {
            AnalyzerView v = l.view();
            if (best == null || rank(v.state()) < rank(best.state())) {
                best = v;
            }
            queuedPackets += v.queuedPackets();
            queuedBytes += v.queuedBytes();
            unacked += v.unacked();
            packets += v.packetsDelivered();
            messages += v.messagesDelivered();
            bytes += v.bytesDelivered();
            reroutes += v.reroutes();
            connects += v.connects();
            connectionsUp += v.connectionsUp();
            effectiveWeight = Math.max(effectiveWeight, v.effectiveWeight());
        }
        return new AnalyzerView(best.name(), best.address(), best.weight(), effectiveWeight, best.state(), best.circuit(),
            queuedPackets, queuedBytes, unacked, packets, messages, bytes, reroutes, connects, connectionsUp, links.size());
    }

    private static int rank(String state) {
        int i = STATE_ORDER.indexOf(state);
        return i < 0 ? STATE_ORDER.size() : i;
    }
}
