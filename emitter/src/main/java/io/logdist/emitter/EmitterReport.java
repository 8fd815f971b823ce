package io.logdist.emitter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an emitter run did, as a snapshot or at the end.
 *
 * <p>Counts: {@code packetsSent} counts sequences sent (a refused packet's messages go
 * out again under a new sequence, which counts again); {@code packetsAcked},
 * {@code messagesAcked} and {@code bytesAcked} (message payload bytes) count what the
 * distributor accepted; {@code packetsNacked} counts refusals. {@code seconds} is the
 * time spent sending (from the start until new packets stopped, or until now while they
 * have not), and the rates are acked messages and payload megabytes (10^6 bytes) over
 * it. Latency is from each packet's intended send time to its ACK, in microseconds (a
 * paced run also counts the packets it had due but never sent by its end, at their wait
 * until then, so that falling behind shows in the tail);
 * {@code sendLagUs} is from its intended send time to the moment it was written, for
 * paced runs (all 0 when unpaced, where every packet is due at once). An ack latency
 * with a small send lag was spent after the packet left.
 *
 * <p>{@code emitters} maps each emitterId to its progress: the packets of that emitter
 * that this run had accepted are exactly sequences {@code firstSequence..ackedThrough}
 * minus {@code refused}. {@code firstSequence} is 1 unless the distributor already held
 * the emitterId from an earlier run ({@code --emitter-id} reused), when numbering went on
 * after what it held.
 *
 * <p>{@code replayedPackets} counts the dead-lettered packets whose messages were sent
 * again ({@code --replay}), each under a new sequence of this run; 0 otherwise.
 *
 * <p>{@code startedAtMicros} is when the run started (wall clock, microseconds since the
 * epoch): every packet of this run reached an analyzer after it, which lets the audit
 * tell a record of this run from one of an earlier run that used the same emitterId.
 *
 * <p>Immutable; any thread.
 */
public record EmitterReport(
    long packetsSent,
    long packetsAcked,
    long packetsNacked,
    long messagesAcked,
    long bytesAcked,
    double seconds,
    double msgsPerS,
    double mbPerS,
    Latency latencyUs,
    Latency sendLagUs,
    Map<Long, EmitterProgress> emitters,
    long replayedPackets,
    long startedAtMicros) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public EmitterReport {
        emitters = Collections.unmodifiableMap(new LinkedHashMap<>(emitters));
    }

    /** Latency percentiles in microseconds. */
    public record Latency(long p50, long p99, long p999, long max) {
    }

    /**
     * One emitterId's progress: the highest sequence settled by the distributor and the
     * sequences it refused (each refused packet's messages were sent again under a later
     * sequence).
     */
    public record EmitterProgress(long firstSequence, long ackedThrough, long[] refused) {
        public EmitterProgress {
            refused = refused.clone();
        }

        @Override
        public long[] refused() {
            return refused.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof EmitterProgress && ((EmitterProgress) o).ackedThrough == ackedThrough
                && ((EmitterProgress) o).firstSequence == firstSequence && Arrays.equals(((EmitterProgress) o).refused, refused);
        }

        @Override
        public int hashCode() {
            return (Long.hashCode(firstSequence) * 31 + Long.hashCode(ackedThrough)) * 31 + Arrays.hashCode(refused);
        }

        @Override
        public String toString() {
            return "EmitterProgress[firstSequence=" + firstSequence + ", ackedThrough=" + ackedThrough + ", refused=" + Arrays.toString(refused) + "]";
        }
    }

    /**
     * Writes the report as JSON with the keys tools read: {@code packets_sent},
     * {@code packets_acked}, {@code packets_nacked}, {@code messages_acked},
     * {@code bytes_acked}, {@code seconds}, {@code msgs_per_s}, {@code mb_per_s},
     * {@code latency_us} and {@code send_lag_us} (each {@code p50}, {@code p99},
     * {@code p999}, {@code max}) and {@code emitters}: emitterId as a decimal string to
     * {@code {"first_sequence": F, "acked_through": N, "refused": [...]}}, {@code replayed_packets}
     * and {@code started_at_micros}.
     *
     * @throws UncheckedIOException when the file cannot be written
     */
    public void writeJson(Path file) {
        try {
            Files.writeString(file, toJson() + System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + file + ": " + e.getMessage(), e);
        }
    }

    /** The JSON {@link #writeJson} writes. */
    String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("packets_sent", packetsSent);
        root.put("packets_acked", packetsAcked);
        root.put("packets_nacked", packetsNacked);
        root.put("messages_acked", messagesAcked);
        root.put("bytes_acked", bytesAcked);
        root.put("seconds", seconds);
        root.put("msgs_per_s", msgsPerS);
        root.put("mb_per_s", mbPerS);
        putLatency(root.putObject("latency_us"), latencyUs);
        putLatency(root.putObject("send_lag_us"), sendLagUs);
        ObjectNode byId = root.putObject("emitters");
        for (Map.Entry<Long, EmitterProgress> e : emitters.entrySet()) {
            ObjectNode progress = byId.putObject(Long.toString(e.getKey()));
            progress.put("first_sequence", e.getValue().firstSequence());
            progress.put("acked_through", e.getValue().ackedThrough());
            ArrayNode refused = progress.putArray("refused");
            for (long s : e.getValue().refused) {
                refused.add(s);
            }
        }
        root.put("replayed_packets", replayedPackets);
        root.put("started_at_micros", startedAtMicros);
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void putLatency(ObjectNode node, Latency l) {
        node.put("p50", l.p50());
        node.put("p99", l.p99());
        node.put("p999", l.p999());
        node.put("max", l.max());
    }
}
