package io.logdist.analyzer;

import io.logdist.protocol.cli.CommandLines;
import io.logdist.protocol.cli.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code analyzer} program: fills an {@link AnalyzerConfig} from the command line,
 * runs an {@link AnalyzerServer} until SIGTERM or SIGINT, then writes the final report,
 * prints a summary line and exits 0.
 *
 * <p>Exit codes: 0 after a signal, 1 when it cannot start (port in use, record file
 * unwritable), 2 for a bad command line.
 */
@Command(name = "analyzer", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Receives packets DELIVERed by a distributor, counts them, records them and ACKs them.")
public final class AnalyzerMain implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "Address to listen on for distributors.")
    private HostPort listen;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Name of this analyzer (sent in WELCOME, used in reports).")
    private String name;

    @Option(names = "--window", defaultValue = "1024", paramLabel = "N",
        description = "Most DELIVERs a distributor may have unacknowledged (default: ${DEFAULT-VALUE}).")
    private int window;

    @Option(names = "--max-frame-length", defaultValue = "1048576", paramLabel = "BYTES",
        description = "Largest frame accepted (default: ${DEFAULT-VALUE}).")
    private int maxFrameLength;

    @Option(names = "--report", paramLabel = "FILE", description = "JSON report, rewritten every report interval and at exit.")
    private Path reportFile;

    @Option(names = "--record", paramLabel = "FILE",
        description = "Binary record of every accepted packet (appended; read by 'audit').")
    private Path recordFile;

    @Option(names = "--report-interval", defaultValue = "1s", paramLabel = "DURATION",
        description = "How often to write the report and the progress line (default: ${DEFAULT-VALUE}).")
    private Duration reportInterval;

    @Option(names = "--quiet", description = "Print no progress line.")
    private boolean quiet;

    public static void main(String[] args) {
        CommandLines.run(new AnalyzerMain(), args);
    }

    @Override
    public Integer call() throws InterruptedException {
        AnalyzerConfig config = new AnalyzerConfig(name, listen, window, maxFrameLength, reportFile, recordFile, reportInterval, quiet);
        PrintWriter err = spec.commandLine().getErr();
        AnalyzerServer server;
        try {
            server = AnalyzerServer.start(config);
        } catch (UncheckedIOException e) {
            err.println("error: " + e.getMessage());
            err.flush();
            return 1;
        }
        long startNanos = System.nanoTime();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server, startNanos), "analyzer-shutdown"));
        // The only way out is a signal: the shutdown hook ends the process.
        new CountDownLatch(1).await();
        return 0;
    }

    /**
     * Shutdown hook body: final report, summary line, then exit status 0. A JVM ended by
     * a signal would otherwise report 128+signal; halting here is what makes a requested
     * stop a successful one.
     */
    private static void stop(AnalyzerServer server, long startNanos) {
        server.close();
        AnalyzerSnapshot s = server.totals(); // not snapshot(): a long run's sequences could fill the heap here
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.println(Reporter.line(s) + String.format(Locale.ROOT, " in %.1f s (%.0f msg/s) dup=%d bad=%d; stopped",
            seconds, seconds > 0 ? s.messages() / seconds : 0.0, s.duplicates(), s.badPackets()));
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }
}
