package io.logdist.distributor.ingest;

import io.logdist.protocol.codec.ErrorCode;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what emitters sent. Written by every worker loop, read by anyone.
 */
public final class IngestStats {
    public final LongAdder packetsIn = new LongAdder();
    public final LongAdder messagesIn = new LongAdder();
    public final LongAdder bytesIn = new LongAdder();
    public final LongAdder duplicates = new LongAdder();
    /** Packets NACKed (OVERLOADED) because their priority was shed. */
    public final LongAdder shed = new LongAdder();
    /** Times an emitter connection stopped reading because its analyzer's queue was full. */
    public final LongAdder pauses = new LongAdder();
    public final AtomicInteger connections = new AtomicInteger();
    private final AtomicLongArray nacksByCode = new AtomicLongArray(16);

    void nacked(ErrorCode code) {
        nacksByCode.incrementAndGet(code.value() & 15);
    }

    public long nacks(ErrorCode code) {
        return nacksByCode.get(code.value() & 15);
    }
}
