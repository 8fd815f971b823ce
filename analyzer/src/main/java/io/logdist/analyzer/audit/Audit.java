package io.logdist.analyzer.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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
 * <p>Stateless; any thread.
 */
public final class Audit {
    /** How many lost pairs are listed by name. */
    public static final int LOST_EXAMPLES = 10;

    private Audit() {
    }

    /**
     * Runs the audit. Bad input (missing file, bad JSON, duplicate analyzer names) throws
     * {@link io.logdist.protocol.cli.CommandLines.UserError}.
     */
    public static AuditResult run(List<Path> emitterReports, List<AnalyzerSpec> analyzers, Duration bucket) {
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
        ReceivedPackets received = ReceivedPackets.read(analyzers, bucketMicros);

        long[] ackedAndLost = new long[2];
        List<AuditResult.Pair> lostExamples = new ArrayList<>();
        acked.forEach((emitterId, sequence) -> {
            ackedAndLost[0]++;
            if (!received.contains(emitterId, sequence)) {
                ackedAndLost[1]++;
                if (lostExamples.size() < LOST_EXAMPLES) {
                    lostExamples.add(new AuditResult.Pair(emitterId, sequence));
                }
            }
        });
        long ackedCount = ackedAndLost[0];
        long lost = ackedAndLost[1];

        int n = analyzers.size();
        double[] weights = new double[n];
        double weightSum = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = analyzers.get(i).weight();
            weightSum += weights[i];
        }
        double[] expectedMessages = new double[n];
        long allMessages = 0;
        for (ReceivedPackets.Bucket b : received.buckets()) {
            long total = 0;
            double upWeight = 0;
            for (int i = 0; i < n; i++) {
                total += b.messages[i];
                if (b.records[i] > 0) {
                    upWeight += weights[i];
                }
            }
            allMessages += total;
            for (int i = 0; i < n; i++) {
                if (b.records[i] > 0) {
                    expectedMessages[i] += total * weights[i] / upWeight;
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
        long receivedNotAcked = received.distinct() - (ackedCount - lost);
        return new AuditResult(ackedCount, lost, List.copyOf(lostExamples), received.records(), received.distinct(),
            received.records() - received.distinct(), receivedNotAcked, List.copyOf(shares), maxDeviation, received.bucketCount());
    }
}
