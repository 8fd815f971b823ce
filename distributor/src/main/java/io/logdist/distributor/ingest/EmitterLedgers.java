package io.logdist.distributor.ingest;

import io.logdist.distributor.loop.LoopContext;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The distributor-wide table of {@link EmitterLedger}s by emitterId, so that
 * {@code ackedThrough} and duplicate detection survive an emitter's reconnects.
 *
 * <p>Thread-safe; used only at HELLO time, never per packet.
 */
public final class EmitterLedgers {
    private final ConcurrentHashMap<Long, EmitterLedger> byId = new ConcurrentHashMap<>();
    private final int maxWindow;

    public EmitterLedgers(int maxWindow) {
        this.maxWindow = maxWindow;
    }

    /** The ledger for {@code emitterId}, created and owned by {@code loop} if new. */
    EmitterLedger get(long emitterId, LoopContext loop) {
        return byId.computeIfAbsent(emitterId, id -> new EmitterLedger(id, loop, maxWindow));
    }

    public int size() {
        return byId.size();
    }
}
