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
    private long distinct;

    /**
     * Reads every dead-letter file named (a directory: its {@code *.ldl} files); a missing,
     * unreadable or corrupt file is a {@link UserError}.
     */
    static DeadLetteredPackets read(List<Path> fileOrDirs) {
        DeadLetteredPackets dead = new DeadLetteredPackets();
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

    boolean contains(long emitterId, long sequence) {
        SequenceSet sequences = byEmitter.get(emitterId);
        return sequences != null && sequences.contains(sequence);
    }

    /** Distinct (emitterId, sequence) pairs among them. */
    long distinct() {
        return distinct;
    }
}
