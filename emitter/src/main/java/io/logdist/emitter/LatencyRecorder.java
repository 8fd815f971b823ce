package io.logdist.emitter;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A latency in microseconds, recorded per packet by every session of a run: the ack
 * latency (a packet's intended send time to the ACK that settles it) and the send lag
 * (its intended send time to the moment the session wrote it). Recording is wait-free
 * from any event loop ({@link Recorder}); readers fold the interval histograms into a
 * running total.
 *
 * <p>{@link #recordMicros} from any thread; the read side is serialised by this object's
 * monitor, which only readers (progress line, snapshots) ever take.
 */
final class LatencyRecorder {
    private static final int SIGNIFICANT_DIGITS = 3;

    private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);
    private final Histogram total = new Histogram(SIGNIFICANT_DIGITS);
    private Histogram interval;

    void recordMicros(long micros) {
        recorder.recordValue(Math.max(0, micros));
    }

    /** Percentiles over everything recorded so far; all 0 when nothing was. */
    synchronized EmitterReport.Latency latency() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        if (total.getTotalCount() == 0) {
            return new EmitterReport.Latency(0, 0, 0, 0);
        }
        return new EmitterReport.Latency(
            total.getValueAtPercentile(50.0),
            total.getValueAtPercentile(99.0),
            total.getValueAtPercentile(99.9),
            total.getMaxValue());
    }
}
