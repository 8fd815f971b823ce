package io.logdist.analyzer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Every report interval: rewrites the report file and prints the progress line
 * {@code analyzer a1: 12345 pkts 395040 msgs (98000 msg/s) dup=0 bad=0}, where the rate
 * is over the last interval.
 *
 * <p>Runs on the server's reporting thread, never on the event loop: it only reads
 * snapshots, which the loop computes for it, and keeps file I/O off the data path.
 */
final class Reporter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Reporter.class);

    private final Supplier<AnalyzerSnapshot> snapshots;
    private final ReportFile reportFile;
    private final PrintStream progress;
    private final long startNanos;
    private long lastNanos;
    private long lastMessages;
    private boolean reportedWriteFailure;

    /**
     * @param reportFile null for no report file
     * @param progress   null for no progress line
     */
    Reporter(Supplier<AnalyzerSnapshot> snapshots, ReportFile reportFile, PrintStream progress, long startNanos) {
        this.snapshots = snapshots;
        this.reportFile = reportFile;
        this.progress = progress;
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
    }

    @Override
    public void run() {
        AnalyzerSnapshot s;
        try {
            s = snapshots.get();
        } catch (IllegalStateException stopped) {
            return;
        }
        long now = System.nanoTime();
        writeReport(s, now);
        if (progress != null) {
            double seconds = (now - lastNanos) / 1e9;
            long rate = seconds > 0 ? Math.round((s.messages() - lastMessages) / seconds) : 0;
            progress.println(line(s) + " (" + rate + " msg/s) dup=" + s.duplicates() + " bad=" + s.badPackets());
        }
        lastNanos = now;
        lastMessages = s.messages();
    }

    /** Writes the report for {@code s} (if there is a report file); failures are logged, not thrown. */
    void writeReport(AnalyzerSnapshot s, long nowNanos) {
        if (reportFile == null) {
            return;
        }
        try {
            reportFile.write(s, (nowNanos - startNanos) / 1e9);
            reportedWriteFailure = false;
        } catch (IOException e) {
            if (!reportedWriteFailure) {
                reportedWriteFailure = true;
                LOG.warn("cannot write report file {}: {}", reportFile.file(), e.getMessage());
            }
        }
    }

    static String line(AnalyzerSnapshot s) {
        return "analyzer " + s.name() + ": " + s.packets() + " pkts " + s.messages() + " msgs";
    }
}
