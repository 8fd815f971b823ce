package io.logdist.analyzer;

import io.logdist.analyzer.sequence.SequenceSet;
import io.logdist.protocol.packet.PacketDescriptor;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an analyzer has received, over all its connections: totals, per emitter, per
 * priority, and the set of (emitterId, sequence) seen so repeats count as duplicates.
 *
 * <p>Confined to the server's single event loop: every connection's handler runs there,
 * so no field needs a lock or a volatile. Other threads get a {@link AnalyzerSnapshot}
 * computed on the loop.
 */
final class AnalyzerCounters {
    private final String name;
    private final Long2ObjectHashMap<EmitterState> emitters = new Long2ObjectHashMap<>();
    private final long[] messagesByPriority = new long[PacketDescriptor.PRIORITY_LEVELS];
    private long packets;
    private long messages;
    private long bytes;
    private long duplicates;
    private long badPackets;

    AnalyzerCounters(String name) {
        this.name = name;
    }

    /** Counts one well-formed packet; a (emitterId, sequence) seen before counts as a duplicate only. */
    void onPacket(long emitterId, long sequence, int count, int priority, long payloadBytes) {
        EmitterState emitter = emitters.get(emitterId);
        if (emitter == null) {
            emitter = new EmitterState();
            emitters.put(emitterId, emitter);
        }
        if (!emitter.sequences.add(sequence)) {
            duplicates++;
            return;
        }
        emitter.packets++;
        emitter.messages += count;
        packets++;
        messages += count;
        bytes += payloadBytes;
        messagesByPriority[priority] += count;
    }

    void onBadPacket() {
        badPackets++;
    }

    /**
     * Copies the counters. Sorting every emitter's sequences is costly for big runs, so
     * periodic reports ask without them.
     */
    AnalyzerSnapshot snapshot(boolean withSequences) {
        Map<Long, AnalyzerSnapshot.EmitterCounts> emitterCounts = new TreeMap<>();
        Map<Long, long[]> sequences = new TreeMap<>();
        emitters.forEachLong((id, e) -> {
            emitterCounts.put(id, new AnalyzerSnapshot.EmitterCounts(e.packets, e.messages));
            if (withSequences) {
                sequences.put(id, e.sequences.toSortedArray());
            }
        });
        Map<Integer, Long> priorities = new TreeMap<>();
        for (int p = 0; p < messagesByPriority.length; p++) {
            if (messagesByPriority[p] != 0) {
                priorities.put(p, messagesByPriority[p]);
            }
        }
        return new AnalyzerSnapshot(name, packets, messages, bytes, duplicates, badPackets,
            Collections.unmodifiableMap(emitterCounts),
            Collections.unmodifiableMap(priorities),
            Collections.unmodifiableMap(sequences));
    }

    private static final class EmitterState {
        final SequenceSet sequences = new SequenceSet();
        long packets;
        long messages;
    }
}
