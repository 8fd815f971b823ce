package io.logdist.analyzer.audit;

import java.util.List;

/**
 * What the audit found.
 *
 * @param acked              (emitterId, sequence) pairs the emitters hold as acknowledged
 * @param lost               acked pairs found in no record file and no dead-letter file
 * @param lostExamples       up to {@value Audit#LOST_EXAMPLES} of them
 * @param records            entries in all record files
 * @param received           distinct pairs in all record files
 * @param duplicates         records minus distinct pairs
 * @param receivedNotAcked   distinct pairs received that no emitter report holds as acked
 *                           (their ACK was lost on the way back, or the emitter stopped first)
 * @param deadLettered       distinct pairs found in dead-letter files: acknowledged because they
 *                           were written there durably, so accounted for without an analyzer
 * @param analyzers          one line per analyzer, in command-line order
 * @param maxDeviationPoints largest |expected − actual| share, in percentage points
 * @param buckets            time buckets that held at least one record
 */
public record AuditResult(
    long acked,
    long lost,
    List<Pair> lostExamples,
    long records,
    long received,
    long duplicates,
    long receivedNotAcked,
    long deadLettered,
    List<AnalyzerShare> analyzers,
    double maxDeviationPoints,
    int buckets) {

    /** One (emitterId, sequence). */
    public record Pair(long emitterId, long sequence) {
        @Override
        public String toString() {
            return "emitter " + Long.toUnsignedString(emitterId) + " sequence " + Long.toUnsignedString(sequence);
        }
    }

    /**
     * One analyzer's shares, as fractions of all messages received (duplicates included).
     *
     * @param weightShare   weight / sum of weights: the share if every analyzer was always up
     * @param expectedShare the share its weight earns over the time it was up (see {@link Audit})
     * @param actualShare   its messages / all messages
     */
    public record AnalyzerShare(String name, double weight, double weightShare, double expectedShare, double actualShare, long messages) {
    }
}
