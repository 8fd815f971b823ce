package io.logdist.analyzer.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.logdist.protocol.cli.CommandLines.UserError;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The (emitterId, sequence) pairs the emitters hold as acknowledged, read from their
 * JSON reports: for each emitter, sequences {@code first_sequence}..{@code acked_through}
 * ({@code first_sequence} is 1 when absent) except those in {@code refused} (NACKed, and
 * resent under new sequences). Unknown keys are ignored.
 * An emitter present in several reports is acked for a sequence when any report says so.
 *
 * <p>Not thread-safe; built and read by the audit's one thread.
 */
final class AckedPackets {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param startedAtMicros when the run of the report began, or -1 when the report does not say */
    private record Coverage(long firstSequence, long ackedThrough, LongHashSet refused, long startedAtMicros) {
        boolean acks(long sequence) {
            return sequence >= firstSequence && sequence <= ackedThrough && !refused.contains(sequence);
        }
    }

    /** Receives acked pairs from {@link #forEach}. */
    @FunctionalInterface
    interface PairVisitor {
        void onPair(long emitterId, long sequence);
    }

    private final Long2ObjectHashMap<List<Coverage>> byEmitter = new Long2ObjectHashMap<>();

    /** Reads every report; a missing file or bad JSON is a {@link UserError}. */
    static AckedPackets read(List<Path> reports) {
        AckedPackets acked = new AckedPackets();
        for (Path report : reports) {
            acked.add(report, parse(report));
        }
        return acked;
    }

    private static JsonNode parse(Path report) {
        try {
            return JSON.readTree(report.toFile());
        } catch (JsonProcessingException e) {
            throw new UserError("emitter report " + report + " is not valid JSON: " + e.getOriginalMessage()
                + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new UserError("emitter report " + report + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot read emitter report " + report + ": " + e.getMessage());
        }
    }

    private void add(Path report, JsonNode root) {
        JsonNode emitters = root == null ? null : root.get("emitters");
        if (emitters == null || !emitters.isObject()) {
            throw new UserError("emitter report " + report + " has no \"emitters\" object");
        }
        long startedAt = -1;
        JsonNode startedNode = root.get("started_at_micros");
        if (startedNode != null && !startedNode.isNull()) {
            if (!startedNode.isIntegralNumber() || !startedNode.canConvertToLong() || startedNode.longValue() < 0) {
                throw new UserError("emitter report " + report + " has a \"started_at_micros\" that is not a non-negative integer");
            }
            startedAt = startedNode.longValue();
        }
        for (Map.Entry<String, JsonNode> entry : emitters.properties()) {
            long emitterId;
            try {
                emitterId = Long.parseUnsignedLong(entry.getKey());
            } catch (NumberFormatException e) {
                throw new UserError("emitter report " + report + ": emitter id \"" + entry.getKey() + "\" is not a decimal number");
            }
            JsonNode emitter = entry.getValue();
            JsonNode through = emitter.get("acked_through");
            if (through == null || !through.isIntegralNumber() || !through.canConvertToLong() || through.longValue() < 0) {
                throw new UserError("emitter report " + report + ": emitter " + entry.getKey()
                    + " has no non-negative integer \"acked_through\"");
            }
            long first = 1;
            JsonNode firstNode = emitter.get("first_sequence");
            if (firstNode != null && !firstNode.isNull()) {
                if (!firstNode.isIntegralNumber() || !firstNode.canConvertToLong() || firstNode.longValue() < 1) {
                    throw new UserError("emitter report " + report + ": emitter " + entry.getKey()
                        + " has a \"first_sequence\" that is not a positive integer");
                }
                first = firstNode.longValue();
            }
            LongHashSet refused = new LongHashSet();
            JsonNode refusedNode = emitter.get("refused");
            if (refusedNode != null && !refusedNode.isNull()) {
                if (!refusedNode.isArray()) {
                    throw new UserError("emitter report " + report + ": emitter " + entry.getKey() + " has a \"refused\" that is not an array");
                }
                for (JsonNode s : refusedNode) {
                    if (!s.isIntegralNumber() || !s.canConvertToLong()) {
                        throw new UserError("emitter report " + report + ": emitter " + entry.getKey()
                            + " has a refused sequence that is not an integer: " + s);
                    }
                    refused.add(s.longValue());
                }
            }
            List<Coverage> coverages = byEmitter.get(emitterId);
            if (coverages == null) {
                coverages = new ArrayList<>(1);
                byEmitter.put(emitterId, coverages);
            }
            coverages.add(new Coverage(first, through.longValue(), refused, startedAt));
        }
    }

    /** Calls {@code visitor} for every acked pair, emitters in ascending id order, sequences ascending. */
    void forEach(PairVisitor visitor) {
        for (long emitterId : emitterIds()) {
            List<Coverage> coverages = byEmitter.get(emitterId);
            long first = Long.MAX_VALUE;
            long last = 0;
            for (Coverage c : coverages) {
                first = Math.min(first, c.firstSequence());
                last = Math.max(last, c.ackedThrough());
            }
            if (coverages.size() == 1) {
                Coverage only = coverages.get(0);
                for (long s = first; s <= last; s++) {
                    if (!only.refused().contains(s)) {
                        visitor.onPair(emitterId, s);
                    }
                }
            } else {
                for (long s = first; s <= last; s++) {
                    for (Coverage c : coverages) {
                        if (c.acks(s)) {
                            visitor.onPair(emitterId, s);
                            break;
                        }
                    }
                }
            }
        }
    }

    /** The lowest sequence audited for {@code emitterId}; {@link Long#MAX_VALUE} for an emitter no report names. */
    long auditedFrom(long emitterId) {
        List<Coverage> coverages = byEmitter.get(emitterId);
        long first = Long.MAX_VALUE;
        if (coverages != null) {
            for (Coverage c : coverages) {
                first = Math.min(first, c.firstSequence());
            }
        }
        return first;
    }

    /** Receives an emitter's start from {@link #forEachStart}. */
    @FunctionalInterface
    interface StartVisitor {
        void onStart(long emitterId, long startedAtMicros);
    }

    /**
     * Refuses reports of one emitterId from different runs whose sequences overlap: two runs
     * numbered the same sequences (an --emitter-id reused after the distributor forgot it),
     * and a pair is all the audit knows of a packet, so their packets cannot be told apart.
     * (Runs that resume one another, each from where the last stopped, do not overlap.)
     */
    void requireRunsApart() {
        for (long emitterId : emitterIds()) {
            List<Coverage> coverages = byEmitter.get(emitterId);
            for (int i = 0; i < coverages.size(); i++) {
                for (int j = i + 1; j < coverages.size(); j++) {
                    Coverage a = coverages.get(i);
                    Coverage b = coverages.get(j);
                    boolean otherRun = a.startedAtMicros() >= 0 && b.startedAtMicros() >= 0
                        && a.startedAtMicros() != b.startedAtMicros();
                    long overlapFrom = Math.max(a.firstSequence(), b.firstSequence());
                    long overlapTo = Math.min(a.ackedThrough(), b.ackedThrough());
                    if (otherRun && overlapFrom <= overlapTo) {
                        throw new UserError("two emitter reports of emitter " + Long.toUnsignedString(emitterId)
                            + ", from runs that began at different times, both hold sequences " + overlapFrom + ".."
                            + overlapTo + ": the runs' packets cannot be told apart; audit each run on its own, against"
                            + " record files of its own");
                    }
                }
            }
        }
    }

    /** Calls {@code visitor} with the earliest start of every emitter whose reports all say when they started. */
    void forEachStart(StartVisitor visitor) {
        for (long emitterId : emitterIds()) {
            long start = Long.MAX_VALUE;
            for (Coverage c : byEmitter.get(emitterId)) {
                start = c.startedAtMicros() < 0 ? -1 : Math.min(start, c.startedAtMicros());
                if (start < 0) {
                    break;
                }
            }
            if (start >= 0) {
                visitor.onStart(emitterId, start);
            }
        }
    }

    private long[] emitterIds() {
        long[] ids = new long[byEmitter.size()];
        int[] n = {0};
        byEmitter.forEachLong((id, c) -> ids[n[0]++] = id);
        Arrays.sort(ids);
        return ids;
    }
}
