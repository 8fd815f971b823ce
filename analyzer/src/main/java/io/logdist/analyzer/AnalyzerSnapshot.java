package io.logdist.analyzer;

import java.util.Map;

/**
 * An immutable copy of an analyzer's counters at one moment, from
 * {@link AnalyzerServer#snapshot()}. Counts are over all connections since start; a
 * repeated (emitterId, sequence) counts only in {@code duplicates}.
 *
 * @param name               the analyzer's name
 * @param packets            distinct packets accepted
 * @param messages           messages in those packets
 * @param bytes              message payload bytes in those packets (without length prefixes or headers)
 * @param duplicates         packets accepted again with an (emitterId, sequence) already seen
 * @param badPackets         DELIVERs refused with a NACK (bad CRC or malformed packet)
 * @param emitters           per emitterId (ascending), distinct packets and messages
 * @param messagesByPriority per priority (ascending, only those seen), messages
 * @param sequencesByEmitter per emitterId, the distinct sequences received, sorted
 *                           ascending; empty in the snapshots taken for periodic reports
 */
public record AnalyzerSnapshot(
    String name,
    long packets,
    long messages,
    long bytes,
    long duplicates,
    long badPackets,
    Map<Long, EmitterCounts> emitters,
    Map<Integer, Long> messagesByPriority,
    Map<Long, long[]> sequencesByEmitter) {

    /** Distinct packets and their messages from one emitter. */
    public record EmitterCounts(long packets, long messages) {
    }
}
