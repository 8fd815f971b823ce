package io.logdist.distributor.ingest;

import io.logdist.distributor.admin.EmitterView;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The emitter sessions that have said HELLO and are still connected, for the admin API
 * and for shutdown (GOODBYE to each).
 *
 * <p>Thread-safe; sessions join and leave from their loops, readers are control plane.
 */
public final class EmitterSessions {
    private final Set<EmitterSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean shuttingDown;

    void add(EmitterSession s) {
        sessions.add(s);
    }

    void remove(EmitterSession s) {
        sessions.remove(s);
    }

    public List<EmitterView> views() {
        List<EmitterView> out = new ArrayList<>();
        for (EmitterSession s : sessions) {
            out.add(s.view());
        }
        return out;
    }

    /**
     * Tells every session the distributor is shutting down: GOODBYE, and NACK 11 for new
     * packets. A session that joins later (its HELLO was on its way) is told as it joins:
     * it adds itself, then reads the flag, while this sets the flag, then reads the set, so
     * one of the two sees the other.
     */
    public void beginShutdown() {
        shuttingDown = true;
        for (EmitterSession s : sessions) {
            s.beginShutdown();
        }
    }

    /** True once {@link #beginShutdown()} was called. Any thread. */
    boolean shuttingDown() {
        return shuttingDown;
    }

    public int size() {
        return sessions.size();
    }
}
