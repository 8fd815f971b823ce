package io.logdist.analyzer.audit;

import org.agrona.collections.Long2LongHashMap;

import java.util.function.LongUnaryOperator;

/**
 * Per emitterId, when the earliest record of a sequence the audit covers was made (epoch
 * µs): what tells an earlier run's records (a reused {@code --emitter-id}) from this run's.
 * Records below a run's first sequence are not audited and do not count.
 *
 * <p>Not thread-safe; built and read by the audit's one thread.
 */
final class EarliestAudited {
    private final Long2LongHashMap earliest = new Long2LongHashMap(Long.MAX_VALUE);
    private final LongUnaryOperator auditedFrom;

    /** @param auditedFrom per emitterId, the lowest sequence the audit covers */
    EarliestAudited(LongUnaryOperator auditedFrom) {
        this.auditedFrom = auditedFrom;
    }

    void offer(long emitterId, long sequence, long micros) {
        if (micros < earliest.get(emitterId) && sequence >= auditedFrom.applyAsLong(emitterId)) {
            earliest.put(emitterId, micros);
        }
    }

    /** The earliest time offered for {@code emitterId}; Long.MAX_VALUE if none. */
    long get(long emitterId) {
        return earliest.get(emitterId);
    }
}
