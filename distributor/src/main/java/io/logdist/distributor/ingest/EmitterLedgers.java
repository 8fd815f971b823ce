package io.logdist.distributor.ingest;

import io.logdist.distributor.loop.LoopContext;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The distributor-wide table of {@link EmitterLedger}s by emitterId, so that
 * {@code ackedThrough} and duplicate detection survive an emitter's reconnects.
 *
 * <p>Bounded by expiry: each event loop periodically retires the ledgers it owns that have
 * had no session and nothing in flight for the emitter expiry ({@link #expireIdle}), so a
 * distributor that sees many short-lived emitters (each started without a fixed
 * {@code --emitter-id} gets a random one) does not grow without end. A ledger holds about
 * 1.4 kB (its window of sequence states and two small sets).
 *
 * <p>Thread-safe; used at HELLO time and by the periodic expiry, never per packet.
 */
public final class EmitterLedgers {
    private final ConcurrentHashMap<Long, EmitterLedger> byId = new ConcurrentHashMap<>();
    private final int maxWindow;

    public EmitterLedgers(int maxWindow) {
        this.maxWindow = maxWindow;
    }

    /**
     * The ledger for {@code emitterId}, created and owned by {@code loop} if new or if the
     * one listed was retired by its owner's expiry (and not yet dropped): never a retired one.
     */
    EmitterLedger get(long emitterId, LoopContext loop) {
        return byId.compute(emitterId, (id, l) -> l == null || l.isRetired() ? new EmitterLedger(id, loop, maxWindow) : l);
    }

    /**
     * Retires and drops every ledger owned by {@code loop} that has been idle for
     * {@code expiryNs}. Runs on {@code loop}: only the owner may read a ledger's state.
     *
     * @return how many were dropped
     */
    public int expireIdle(LoopContext loop, long nowNs, long expiryNs) {
        int dropped = 0;
        for (EmitterLedger l : byId.values()) { // weakly consistent: safe while HELLOs add ledgers
            if (l.owner() == loop && l.retireIfIdle(nowNs, expiryNs)) {
                byId.remove(l.emitterId(), l);
                dropped++;
            }
        }
        return dropped;
    }

    public int size() {
        return byId.size();
    }
}
