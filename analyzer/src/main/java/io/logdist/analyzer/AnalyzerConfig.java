package io.logdist.analyzer;

import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.packet.PacketDescriptor;
import io.netty.buffer.ByteBufUtil;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything an analyzer is told; the CLI ({@link AnalyzerMain}) only fills it in, and the
 * constructor is the one place that validates (bad values throw
 * {@link IllegalArgumentException} with {@code name=value}).
 *
 * @param name           the analyzer's name, sent as {@code serverName} in WELCOME
 * @param listen         address to listen on; port 0 picks a free port
 * @param window         most DELIVERs a distributor may have unsettled; WELCOME grants
 *                       the smaller of this and what HELLO asked for
 * @param maxFrameLength largest frame {@code length} accepted, announced in WELCOME
 * @param reportFile     JSON report rewritten every {@code reportInterval} and at exit; null for none
 * @param recordFile     binary record of every accepted packet ({@link io.logdist.analyzer.record.RecordDescriptor}); null for none
 * @param reportInterval how often the report and the progress line are written
 * @param quiet          true to print no progress line
 */
public record AnalyzerConfig(
    String name,
    HostPort listen,
    int window,
    int maxFrameLength,
    Path reportFile,
    Path recordFile,
    Duration reportInterval,
    boolean quiet) {

    public static final int DEFAULT_WINDOW = 1024;
    public static final int DEFAULT_MAX_FRAME_LENGTH = FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH;
    public static final Duration DEFAULT_REPORT_INTERVAL = Duration.ofSeconds(1);
    /** Smallest useful maxFrameLength: a DELIVER carrying a one-message packet. */
    public static final int MIN_MAX_FRAME_LENGTH = Frames.DELIVER_HEADER_LENGTH - FrameDescriptor.LENGTH_FIELD_SIZE
        + PacketDescriptor.HEADER_LENGTH + PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE;

    public AnalyzerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(reportInterval, "reportInterval");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name='" + name + "' must not be blank");
        }
        if (ByteBufUtil.utf8Bytes(name) > Frames.MAX_STR_BYTES) { // sent as a str in every WELCOME
            throw new IllegalArgumentException("name must be at most "
                + Frames.MAX_STR_BYTES + " bytes of UTF-8 (was " + name.length() + " chars)");
        }
        if (window < 1) {
            throw new IllegalArgumentException("window=" + window + " must be at least 1");
        }
        if (maxFrameLength < MIN_MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("maxFrameLength=" + maxFrameLength + " must be at least "
                + MIN_MAX_FRAME_LENGTH + " (a DELIVER of the smallest packet)");
        }
        if (reportInterval.isNegative() || reportInterval.isZero()) {
            throw new IllegalArgumentException("reportInterval=" + reportInterval + " must be positive");
        }
    }

    /**
     * Defaults for embedding (tests of other modules): window {@value #DEFAULT_WINDOW},
     * maxFrameLength 1 MiB, no report or record file, 1 s interval, and quiet, because an
     * embedder has its own output.
     */
    public static AnalyzerConfig defaults(String name, HostPort listen) {
        return new AnalyzerConfig(name, listen, DEFAULT_WINDOW, DEFAULT_MAX_FRAME_LENGTH, null, null, DEFAULT_REPORT_INTERVAL, true);
    }

    public AnalyzerConfig withWindow(int window) {
        return new AnalyzerConfig(name, listen, window, maxFrameLength, reportFile, recordFile, reportInterval, quiet);
    }

    public AnalyzerConfig withMaxFrameLength(int maxFrameLength) {
        return new AnalyzerConfig(name, listen, window, maxFrameLength, reportFile, recordFile, reportInterval, quiet);
    }

    public AnalyzerConfig withReportFile(Path reportFile) {
        return new AnalyzerConfig(name, listen, window, maxFrameLength, reportFile, recordFile, reportInterval, quiet);
    }

    public AnalyzerConfig withRecordFile(Path recordFile) {
        return new AnalyzerConfig(name, listen, window, maxFrameLength, reportFile, recordFile, reportInterval, quiet);
    }

    public AnalyzerConfig withReportInterval(Duration reportInterval) {
        return new AnalyzerConfig(name, listen, window, maxFrameLength, reportFile, recordFile, reportInterval, quiet);
    }

    public AnalyzerConfig withQuiet(boolean quiet) {
        return new AnalyzerConfig(name, listen, window, maxFrameLength, reportFile, recordFile, reportInterval, quiet);
    }
}
