package io.logdist.emitter;

import io.logdist.protocol.cli.CommandLines;
import io.logdist.protocol.cli.InvalidSettingException;
import io.logdist.protocol.cli.HostPort;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code emitter} command: fills in an {@link EmitterConfig} from the command line,
 * runs an {@link Emitter} to the end and prints its summary. Exit code 0 when every
 * packet was acknowledged, 1 when some were left unacknowledged, the distributor was
 * never reached or the input could not be read to its end, 2 for a usage mistake.
 *
 * <p>Runs on the main thread; a shutdown hook closes the emitter on Ctrl-C.
 */
@Command(name = "emitter", sortOptions = false, usageHelpAutoWidth = true,
    description = "Streams packets of log messages to a logdist distributor and reports what it acknowledged.")
public final class EmitterMain implements Callable<Integer> {
    /** Config setting -> the option that sets it, to say validation errors in the user's terms. */
    private static final Map<String, String> OPTION_FOR_SETTING = Map.ofEntries(
        Map.entry("ratePerSecond", "--rate"),
        Map.entry("duration", "--duration"),
        Map.entry("messagesPerPacket", "--messages-per-packet"),
        Map.entry("messageBytes", "--message-bytes"),
        Map.entry("connections", "--connections"),
        Map.entry("window", "--window"),
        Map.entry("emitterIdBase", "--emitter-id"),
        Map.entry("name", "--name"),
        Map.entry("drainTimeout", "--drain-timeout"),
        Map.entry("maxPackets", "--max-packets"),
        Map.entry("replay", "--replay"));

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--distributor", required = true, paramLabel = "HOST:PORT",
        description = "The distributor to send to.")
    HostPort distributor;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "MSGS_PER_S",
        description = "Messages per second over all connections; 0 = as fast as the window allows (default ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--duration", defaultValue = "10s", paramLabel = "DURATION",
        description = "How long to make new packets, e.g. 500ms, 30s, 2m; 0 = until the source ends, waiting for the"
            + " distributor for as long as it takes to come up (default ${DEFAULT-VALUE} of generated messages;"
            + " with --file or --replay, 0).")
    Duration duration;

    @Option(names = "--messages-per-packet", defaultValue = "32", paramLabel = "N",
        description = "Messages per packet, 1..65535 (default ${DEFAULT-VALUE}).")
    int messagesPerPacket;

    @Option(names = "--message-bytes", defaultValue = "128", paramLabel = "N",
        description = "Bytes per generated message (default ${DEFAULT-VALUE}).")
    int messageBytes;

    @Option(names = "--connections", defaultValue = "1", paramLabel = "N",
        description = "Connections, each its own emitter with its own emitterId (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--priority", defaultValue = "fixed:0", paramLabel = "SPEC", converter = PrioritySpecConverter.class,
        description = "Packet priority: fixed:N (0..255), random, weighted or cyclic (default ${DEFAULT-VALUE}).")
    PrioritySpec priority;

    @Option(names = "--file", paramLabel = "PATH|-",
        description = "Send the lines of this file (- = standard input), one message per line, instead of generated"
            + " messages. Reads to the end of the input unless --duration is given; lines that arrive slowly go out"
            + " as they come. A file is read up to its end once: to follow a growing log, pipe 'tail -F FILE' into"
            + " --file -.")
    Path file;

    @Option(names = "--replay", paramLabel = "FILE|DIR",
        description = "Send again the packets of this dead-letter file (a directory: its *.ldl files); repeatable."
            + " Each packet's messages go out in one new packet under this emitter's own emitterId and sequence,"
            + " keeping the packet's priority; invalid packets are skipped with a warning. Sends everything unless"
            + " --duration is given.")
    List<Path> replay = new ArrayList<>();

    @Option(names = "--window", defaultValue = "256", paramLabel = "N",
        description = "Packets in flight to ask the distributor for (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--emitter-id", paramLabel = "N",
        description = "emitterId of the first connection; connection i uses N + i (default: random).")
    Long emitterId;

    @Option(names = "--name", paramLabel = "NAME", description = "Name sent to the distributor (default emitter-PID).")
    String name;

    @Option(names = "--drain-timeout", defaultValue = "30s", paramLabel = "DURATION",
        description = "How long to wait for outstanding ACKs at the end (default ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(names = "--max-packets", defaultValue = "0", paramLabel = "N",
        description = "Stop after this many new packets over all connections; 0 = no limit (default ${DEFAULT-VALUE}).")
    long maxPackets;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the final report to FILE as JSON.")
    Path report;

    @Option(names = "--quiet", description = "No progress line every second.")
    boolean quiet;

    public static void main(String[] args) {
        CommandLines.run(new EmitterMain(), args);
    }

    @Override
    public Integer call() {
        EmitterConfig config = config();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Emitter emitter = Emitter.start(config);

        // On Ctrl-C: stop, and print whatever was achieved; exactly one of the two threads prints.
        AtomicBoolean summarised = new AtomicBoolean();
        CountDownLatch printed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            emitter.close();
            if (summarised.compareAndSet(false, true)) {
                printSummary(emitter, emitter.snapshot(), out);
            } else {
                awaitQuietly(printed);
            }
        }, "emitter-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        EmitterReport report = emitter.completion().join();
        if (!summarised.compareAndSet(false, true)) {
            return 130; // the shutdown hook is printing
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook will find the summary printed.
        }
        try {
            if (emitter.neverConnected()) {
                err.println("emitter: could not reach " + config.distributor() + " in " + format(config.duration())
                    + "; giving up");
                return 1;
            }
            printSummary(emitter, report, out);
            if (emitter.reportUnwritten()) {
                return 1; // the reason is logged
            }
            String failure = emitter.failure();
            if (failure != null) {
                err.println("error: " + failure);
                return 1;
            }
            long unacked = emitter.packetsUnacked();
            if (unacked > 0) {
                String packets = unacked == 1 ? " packet" : " packets";
                err.println(emitter.closedEarly()
                    ? "emitter: stopped early; " + unacked + packets + " left unacknowledged"
                    : "emitter: " + unacked + packets + " left unacknowledged after the "
                        + format(config.drainTimeout()) + " drain timeout");
                return 1;
            }
            return 0;
        } finally {
            out.flush();
            err.flush();
            printed.countDown();
        }
    }

    /** The configuration the options describe; range errors name the option. */
    EmitterConfig config() {
        if (file != null && !replay.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--replay and --file cannot be combined");
        }
        if (report != null) { // found now, not after the whole run
            Path parent = report.toAbsolutePath().getParent();
            if (Files.isDirectory(report)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--report " + report + " is a directory; give a file name");
            }
            if (parent != null && !Files.isDirectory(parent)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--report: the directory " + parent + " does not exist");
            }
        }
        try {
            EmitterConfig c = EmitterConfig.defaults(distributor)
                .withRatePerSecond(rate)
                .withDuration(file == null && replay.isEmpty() || durationGiven() ? duration : Duration.ZERO)
                .withMessagesPerPacket(messagesPerPacket)
                .withMessageBytes(messageBytes)
                .withConnections(connections)
                .withPriority(priority)
                .withFile(file)
                .withWindow(window)
                .withDrainTimeout(drainTimeout)
                .withReportFile(report)
                .withMaxPackets(maxPackets)
                .withQuiet(quiet)
                .withReplay(replay);
            if (emitterId != null) {
                c = c.withEmitterIdBase(emitterId);
            }
            if (name != null) {
                c = c.withName(name);
            }
            return c;
        } catch (InvalidSettingException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                e.forOption(OPTION_FOR_SETTING.getOrDefault(e.setting(), e.setting())));
        }
    }

    /** True when --duration was on the command line (a file or a replay then stops after it, like any run). */
    private boolean durationGiven() {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption("--duration");
    }

    private static void printSummary(Emitter emitter, EmitterReport r, PrintWriter out) {
        out.printf(Locale.ROOT, "emitter: sent %d packets (%d msgs), acked %d packets (%d msgs, %d payload bytes),"
                + " nacked %d, reconnects %d%n",
            r.packetsSent(), emitter.messagesSent(), r.packetsAcked(), r.messagesAcked(), r.bytesAcked(),
            r.packetsNacked(), emitter.reconnects());
        out.printf(Locale.ROOT, "emitter: %.0f msg/s, %.1f MB/s over %.1f s of sending%n",
            r.msgsPerS(), r.mbPerS(), r.seconds());
        EmitterReport.Latency l = r.latencyUs();
        out.printf(Locale.ROOT, "emitter: ack latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
            l.p50() / 1000.0, l.p99() / 1000.0, l.p999() / 1000.0, l.max() / 1000.0);
        if (emitter.config().ratePerSecond() > 0) {
            EmitterReport.Latency lag = r.sendLagUs();
            out.printf(Locale.ROOT, "emitter: send lag behind the schedule p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                lag.p50() / 1000.0, lag.p99() / 1000.0, lag.max() / 1000.0);
        }
        long notSent = emitter.linesNotSent();
        if (notSent > 0) {
            out.printf(Locale.ROOT, "emitter: %d line%s read from %s %s not sent: the run stopped first%n", notSent,
                notSent == 1 ? "" : "s", emitter.config().file(), notSent == 1 ? "was" : "were");
        }
        if (emitter.config().replays()) {
            int files = emitter.replayFiles();
            out.printf(Locale.ROOT, "emitter: replayed %d dead-lettered packets from %d file%s, skipped %d invalid%n",
                r.replayedPackets(), files, files == 1 ? "" : "s", emitter.replaySkipped());
        }
        out.flush();
    }

    private static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** picocli converter for {@code --priority}: a bad spec becomes a one-line usage error. */
    public static final class PrioritySpecConverter implements CommandLine.ITypeConverter<PrioritySpec> {
        @Override
        public PrioritySpec convert(String value) {
            try {
                return PrioritySpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
