package io.logdist.analyzer.audit;

import io.logdist.analyzer.record.RecordFile;
import io.logdist.analyzer.sequence.SequenceSet;
import io.logdist.protocol.cli.CommandLines.UserError;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * What the analyzers recorded, read from their record files: the distinct
 * (emitterId, sequence) pairs received anywhere, the number of records (so duplicates),
 * each analyzer's messages, and per time bucket each analyzer's messages and records.
 *
 * <p>Memory: one {@link SequenceSet} per emitter (about a bit per sequence) and one small
 * array per bucket, so ten million records take megabytes, not gigabytes.
 *
 * <p>Not thread-safe; built and read by the audit's one thread.
 */
final class ReceivedPackets {
    /** One time bucket: per analyzer (by index), messages and records received in it. */
    static final class Bucket {
        final long[] messages;
        final long[] records;

        Bucket(int analyzers) {
            messages = new long[analyzers];
            records = new long[analyzers];
        }
    }

    private final Long2ObjectHashMap<SequenceSet> byEmitter = new Long2ObjectHashMap<>();
    /** Per emitter, the earliest record of a sequence the audit covers (see {@link #read}). */
    private final EarliestAudited earliestAudited;
    private final Long2ObjectHashMap<Bucket> buckets = new Long2ObjectHashMap<>();
    private final long[] messagesByAnalyzer;
    private long records;
    private long distinct;

    private ReceivedPackets(int analyzers, LongUnaryOperator auditedFrom) {
        messagesByAnalyzer = new long[analyzers];
        this.earliestAudited = new EarliestAudited(auditedFrom);
    }

    /**
     * Reads every analyzer's record file; a missing or unreadable file is a {@link UserError}.
     *
     * @param auditedFrom per emitterId, the lowest sequence the audit covers: of records at
     *                    or above it the earliest time is kept ({@link #earliestAudited})
     */
    static ReceivedPackets read(List<AnalyzerSpec> analyzers, long bucketMicros, LongUnaryOperator auditedFrom) {
        ReceivedPackets received = new ReceivedPackets(analyzers.size(), auditedFrom);
        for (int i = 0; i < analyzers.size(); i++) {
            AnalyzerSpec analyzer = analyzers.get(i);
            int index = i;
            try {
                RecordFile.read(analyzer.recordFile(), (emitterId, sequence, count, receivedAtMicros) ->
                    received.onRecord(index, emitterId, sequence, count, receivedAtMicros, Math.floorDiv(receivedAtMicros, bucketMicros)));
            } catch (NoSuchFileException e) {
                throw new UserError("record file " + analyzer.recordFile() + " of analyzer " + analyzer.name() + " does not exist");
            } catch (IOException e) {
                throw new UserError("cannot read record file " + analyzer.recordFile() + " of analyzer " + analyzer.name() + ": " + e.getMessage());
            }
        }
        return received;
    }

    private void onRecord(int analyzer, long emitterId, long sequence, long count, long receivedAtMicros, long bucketIndex) {
        records++;
        SequenceSet sequences = byEmitter.get(emitterId);
        if (sequences == null) {
            sequences = new SequenceSet();
            byEmitter.put(emitterId, sequences);
        }
        earliestAudited.offer(emitterId, sequence, receivedAtMicros);
        if (sequences.add(sequence)) {
            distinct++;
        }
        messagesByAnalyzer[analyzer] += count;
        Bucket bucket = buckets.get(bucketIndex);
        if (bucket == null) {
            bucket = new Bucket(messagesByAnalyzer.length);
            buckets.put(bucketIndex, bucket);
        }
        bucket.messages[analyzer] += count;
        bucket.records[analyzer]++;
    }

    /** The earliest time a sequence the audit covers of {@code emitterId} was recorded; {@link Long#MAX_VALUE} if none was. */
    long earliestAudited(long emitterId) {
        return earliestAudited.get(emitterId);
    }

    boolean contains(long emitterId, long sequence) {
        SequenceSet sequences = byEmitter.get(emitterId);
        return sequences != null && sequences.contains(sequence);
    }

    long records() {
        return records;
    }

    long distinct() {
        return distinct;
    }

    long messages(int analyzer) {
        return messagesByAnalyzer[analyzer];
    }

    int bucketCount() {
        return buckets.size();
    }

    /** Indexes of the non-empty buckets, in time order. */
    long[] sortedBucketIndexes() {
        long[] keys = new long[buckets.size()];
        int i = 0;
        Long2ObjectHashMap<Bucket>.KeyIterator it = buckets.keySet().iterator();
        while (it.hasNext()) {
            keys[i++] = it.nextLong();
        }
        java.util.Arrays.sort(keys);
        return keys;
    }

    Bucket bucket(long index) {
        return buckets.get(index);
    }
}
