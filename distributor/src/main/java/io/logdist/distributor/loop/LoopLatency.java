package io.logdist.distributor.loop;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * A latency in microseconds that one event loop records and the metrics scrape drains:
 * a loop's ack latency, a link's analyzer round trips. Recording is wait-free and
 * allocates nothing (an HdrHistogram {@link SingleWriterRecorder} sized up front, values
 * clamped to its range), so it can sit on the data path.
 *
 * <p>Thread: {@link #recordSince} only on the owning loop; {@link #drainInto} from one
 * other thread at a time.
 */
public final class LoopLatency {
    /** The range ends here (an hour); longer values are recorded as this. */
    static final long MAX_MICROS = 3_600_000_000L;
    private static final int SIGNIFICANT_DIGITS = 3;

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(MAX_MICROS, SIGNIFICANT_DIGITS);

    /** Records the time from {@code startNanos} to {@code nowNanos} ({@link System#nanoTime()} readings). */
    public void recordSince(long startNanos, long nowNanos) {
        recorder.recordValue(Math.min(Math.max((nowNanos - startNanos) / 1000, 0), MAX_MICROS));
    }

    /** Adds what was recorded since the previous call to {@code into}. */
    public void drainInto(Histogram into) {
        into.add(recorder.getIntervalHistogram());
    }

    /** An empty histogram of the same range, for draining several of these into. */
    public static Histogram newTotal() {
        return new Histogram(MAX_MICROS, SIGNIFICANT_DIGITS);
    }
}
