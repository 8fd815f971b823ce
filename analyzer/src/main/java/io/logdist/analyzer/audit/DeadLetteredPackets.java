package io.logdist.analyzer.audit;

import io.logdist.analyzer.sequence.SequenceSet;
import io.logdist.protocol.cli.CommandLines.UserError;
import io.logdist.protocol.deadletter.DeadLetterFiles;
import io.logdist.protocol.deadletter.DeadLetterReader;
import io.logdist.protocol.packet.PacketFlyweight;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * The (emitterId, sequence) pairs found in dead-letter files: packets the distributor
 * wrote down durably instead of delivering, and then acknowledged. For the audit they are
 * accounted for, not lost. The pair is read from each record's packet header; a record
 * too short to have one is ignored.
 *
 * <p>Not thread-safe; built and read by the audit's one thread.
 */
final class DeadLetteredPackets {
    private final Long2ObjectHashMap<SequenceSet> byEmitter = new Long2ObjectHashMap<>();
    /** Per emitter, when the earliest record of a sequence the audit covers was written (see {@link #read}). */
    private final EarliestAudited earliestAudited;
    private long distinct;

    private DeadLetteredPackets(LongUnaryOperator auditedFrom) {
        earliestAudited = new EarliestAudited(auditedFrom);
    }

    /**
     * Reads every dead-letter file named (a directory: its {@code *.ldl} files); a missing,
     * unreadable or corrupt file is a {@link UserError}.
     *
     * @param auditedFrom per emitterId, the lowest sequence the audit covers: of records at
     *                    or above it the earliest time written is kept ({@link #earliestAudited})
     */
    static DeadLetteredPackets read(List<Path> fileOrDirs, LongUnaryOperator auditedFrom) {
        DeadLetteredPackets dead = new DeadLetteredPackets(auditedFrom);
        PacketFlyweight flyweight = new PacketFlyweight();
        for (Path arg : fileOrDirs) {
            List<Path> files;
            try {
                files = DeadLetterFiles.list(arg);
            } catch (NoSuchFileException e) {
                throw new UserError("dead-letter file " + arg + " does not exist");
            } catch (IOException e) {
                throw new UserError("cannot list dead-letter directory " + arg + ": " + e.getMessage());
            }
            for (Path file : files) {
                try {
                    DeadLetterReader.read(file, (packet, writtenAtMicros, reroutes, reason) -> {
                        if (flyweight.wrap(packet).hasHeader()) {
                            dead.add(flyweight.emitterId(), flyweight.sequence());
                            dead.earliestAudited.offer(flyweight.emitterId(), flyweight.sequence(), writtenAtMicros);
                        }
                    });
                } catch (NoSuchFileException e) {
                    throw new UserError("dead-letter file " + file + " does not exist");
                } catch (IOException e) {
                    throw new UserError(e.getMessage());
                }
            }
        }
        return dead;
    }

    private void add(long emitterId, long sequence) {
        SequenceSet sequences = byEmitter.get(emitterId);
        if (sequences == null) {
            sequences = new SequenceSet();
            byEmitter.put(emitterId, sequences);
        }
        if (sequences.add(sequence)) {
            distinct++;
        }
    }

    /** When the earliest record of {@code emitterId} the audit covers was written, epoch µs; Long.MAX_VALUE if none. */
    long earliestAudited(long emitterId) {
        return earliestAudited.get(emitterId);
    }

    boolean contains(long emitterId, long sequence) {
        SequenceSet sequences = byEmitter.get(emitterId);
        return sequences != null && sequences.contains(sequence);
    }

    /** Distinct (emitterId, sequence) pairs among them. */
    long distinct() {
        return distinct;
    }
}
