package io.logdist.emitter;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code maxPackets} limit, shared by all connections: each new packet takes one
 * unit first. Only built when a limit is set.
 *
 * <p>Thread-safe: taken from every connection's event loop.
 */
final class PacketBudget {
    private final AtomicLong remaining;

    PacketBudget(long packets) {
        this.remaining = new AtomicLong(packets);
    }

    /** Takes one packet's worth; false when the budget is spent. */
    boolean tryTake() {
        while (true) {
            long r = remaining.get();
            if (r <= 0) {
                return false;
            }
            if (remaining.compareAndSet(r, r - 1)) {
                return true;
            }
        }
    }
}
