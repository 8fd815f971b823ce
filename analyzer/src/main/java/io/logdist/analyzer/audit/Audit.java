package io.logdist.analyzer.audit;

import io.logdist.protocol.cli.CommandLines.UserError;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.LongUnaryOperator;
import java.util.Set;

/**
 * Proves from files alone that nothing acknowledged was lost, and measures how well
 * the messages were shared out by weight.
 *
 * <p>Expected shares are honest about downtime: time is cut into buckets by each record's
 * {@code receivedAtMicros}; in each bucket the analyzers that are up are those with at
 * least one record in it, and the bucket's messages are owed to them in proportion to
 * their weights:
 * <pre>
 *   expected_i = Σ_buckets messages(bucket) × w_i / Σ_{j up in bucket} w_j   (i up in bucket)
 *   expected share_i = expected_i / all messages
 * </pre>
 * So an analyzer that was down for a while is expected to get less, and the others more.
 *
 * <p>Packets the distributor wrote to a dead-letter file ({@code --dead-letter}) were
 * acknowledged because they were durably there: an acked pair found in a dead-letter
 * file is accounted for, not lost, even if no analyzer recorded it.
 *
 * <p>Stateless; any thread.
 */
public final class Audit {
    /** How many lost pairs are listed by name. */
    public static final int LOST_EXAMPLES = 10;

    private Audit() {
    }

    /** Runs the audit without dead-letter files. */
    public static AuditResult run(List<Path> emitterReports, List<AnalyzerSpec> analyzers, Duration bucket) {
        return run(emitterReports, analyzers, List.of(), bucket);
    }

    /**
     * Runs the audit. Bad input (missing file, bad JSON, corrupt dead-letter file,
     * duplicate analyzer names) throws {@link io.logdist.protocol.cli.CommandLines.UserError}.
     *
     * @param deadLetters dead-letter files, or directories of them
     */
    public static AuditResult run(List<Path> emitterReports, List<AnalyzerSpec> analyzers, List<Path> deadLetters,
                                  Duration bucket) {
        return run(emitterReports, analyzers, deadLetters, bucket, Duration.ZERO);
    }

    /**
     * Runs the audit; with {@code slowStart} above zero the expected shares follow the
     * distributor's slow start: an analyzer that comes back after a gap (not one that was
     * there from the beginning) is owed a weight ramping linearly from 1% to its full
     * weight over {@code slowStart}, as the distributor routes it.
     */
    public static AuditResult run(List<Path> emitterReports, List<AnalyzerSpec> analyzers, List<Path> deadLetters,
                                  Duration bucket, Duration slowStart) {
        long bucketMicros = bucket.toNanos() / 1_000;
        if (bucketMicros <= 0) {
            throw new IllegalArgumentException("bucket=" + bucket + " must be at least 1us");
        }
        Set<String> names = new HashSet<>();
        for (AnalyzerSpec a : analyzers) {
            if (!names.add(a.name())) {
                throw new IllegalArgumentException("analyzer " + a.name() + " is named twice");
            }
        }
        AckedPackets acked = AckedPackets.read(emitterReports);
        acked.requireRunsApart();
        ReceivedPackets received = ReceivedPackets.read(analyzers, bucketMicros, acked::auditedFrom);
        DeadLetteredPackets dead = DeadLetteredPackets.read(deadLetters, acked::auditedFrom);
        requireNoEarlierRun(acked, received::earliestAudited, "record files", "recorded");
        requireNoEarlierRun(acked, dead::earliestAudited, "dead-letter files", "written");

        // acked, acked and recorded by an analyzer, lost
        long[] counts = new long[3];
        List<AuditResult.Pair> lostExamples = new ArrayList<>();
        acked.forEach((emitterId, sequence) -> {
            counts[0]++;
            if (received.contains(emitterId, sequence)) {
                counts[1]++;
            } else if (!dead.contains(emitterId, sequence)) {
                counts[2]++;
                if (lostExamples.size() < LOST_EXAMPLES) {
                    lostExamples.add(new AuditResult.Pair(emitterId, sequence));
                }
            }
        });
        long ackedCount = counts[0];
        long ackedReceived = counts[1];
        long lost = counts[2];

        int n = analyzers.size();
        double[] weights = new double[n];
        double weightSum = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = analyzers.get(i).weight();
            weightSum += weights[i];
        }
        double[] expectedMessages = new double[n];
        long allMessages = 0;
        long slowStartMicros = slowStart.toNanos() / 1_000;
        // A gap this long without records means the analyzer was down and, back, slow-starts again.
        long gapBuckets = Math.max(3, 300_000 / bucketMicros);
        long[] lastSeen = new long[n];
        long[] rampFrom = new long[n];
        java.util.Arrays.fill(lastSeen, Long.MIN_VALUE);
        java.util.Arrays.fill(rampFrom, Long.MIN_VALUE);
        long[] order = received.sortedBucketIndexes();
        long first = order.length == 0 ? 0 : order[0];
        double[] owed = new double[n];
        for (long k : order) {
            ReceivedPackets.Bucket b = received.bucket(k);
            long total = 0;
            double upWeight = 0;
            for (int i = 0; i < n; i++) {
                total += b.messages[i];
                owed[i] = 0;
                if (b.records[i] > 0) {
                    if (lastSeen[i] == Long.MIN_VALUE ? k - first > gapBuckets : k - lastSeen[i] > gapBuckets) {
                        rampFrom[i] = k;
                    }
                    lastSeen[i] = k;
                    owed[i] = weights[i] * ramp(k, rampFrom[i], bucketMicros, slowStartMicros);
                    upWeight += owed[i];
                }
            }
            allMessages += total;
            for (int i = 0; i < n; i++) {
                if (owed[i] > 0) {
                    expectedMessages[i] += total * owed[i] / upWeight;
                }
            }
        }

        List<AuditResult.AnalyzerShare> shares = new ArrayList<>(n);
        double maxDeviation = 0;
        for (int i = 0; i < n; i++) {
            long messages = received.messages(i);
            double expected = allMessages == 0 ? 0 : expectedMessages[i] / allMessages;
            double actual = allMessages == 0 ? 0 : (double) messages / allMessages;
            maxDeviation = Math.max(maxDeviation, Math.abs(expected - actual) * 100);
            shares.add(new AuditResult.AnalyzerShare(analyzers.get(i).name(), weights[i], weights[i] / weightSum, expected, actual, messages));
        }
        long receivedNotAcked = received.distinct() - ackedReceived;
        return new AuditResult(ackedCount, lost, List.copyOf(lostExamples), received.records(), received.distinct(),
            received.records() - received.distinct(), receivedNotAcked, dead.distinct(), List.copyOf(shares), maxDeviation,
            received.bucketCount());
    }

    /**
     * Refuses record files (or dead-letter files) that hold, for a sequence this audit
     * covers, a record made before its emitter's run began: an earlier run with the same
     * emitterId (a reused {@code --emitter-id}, files kept). Its records cannot be told from
     * this run's, so a packet this run lost could be "found" in them and the audit pass.
     *
     * @param earliest per emitterId, the time of the earliest such record (epoch µs)
     */
    private static void requireNoEarlierRun(AckedPackets acked, LongUnaryOperator earliest, String files, String made) {
        acked.forEachStart((emitterId, startedAtMicros) -> {
            long first = earliest.applyAsLong(emitterId);
            if (first < startedAtMicros) {
                throw new UserError("the " + files + " hold packets of emitter " + Long.toUnsignedString(emitterId)
                    + " " + made + " at " + instant(first) + ", before its run began at " + instant(startedAtMicros)
                    + ": an earlier run's, which cannot be told from this run's. Audit against fresh " + files + ", or"
                    + " give each run its own --emitter-id (or, if the clocks of the machines that wrote them are behind"
                    + " the emitter's, fix the clocks)");
            }
        });
    }

    private static Instant instant(long epochMicros) {
        return Instant.EPOCH.plus(epochMicros, ChronoUnit.MICROS);
    }

    /** The slow-start factor in bucket {@code k} of a ramp that began in bucket {@code from}. */
    private static double ramp(long k, long from, long bucketMicros, long slowStartMicros) {
        if (slowStartMicros <= 0 || from == Long.MIN_VALUE) {
            return 1;
        }
        double elapsed = (k - from + 0.5) * bucketMicros;
        return Math.min(1, Math.max(0.01, elapsed / slowStartMicros));
    }
}
