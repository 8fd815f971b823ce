package io.logdist.analyzer.record;

/** Receives the entries of a record file from {@link RecordFile#read}, in file order. */
@FunctionalInterface
public interface RecordVisitor {
    /**
     * @param emitterId        the packet's emitterId
     * @param sequence         the packet's sequence
     * @param count            messages in the packet (u32)
     * @param receivedAtMicros when the analyzer accepted it, microseconds since the Unix epoch
     */
    void onRecord(long emitterId, long sequence, long count, long receivedAtMicros);
}
