package io.logdist.benchmarks.tools;

import io.logdist.emitter.Emitter;
import io.logdist.emitter.EmitterConfig;
import io.logdist.emitter.EmitterReport;
import io.logdist.emitter.PrioritySpec;
import io.logdist.protocol.cli.CommandLines;
import io.logdist.protocol.cli.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The load generator of {@code make bench}: the project's own {@link Emitter} (constant
 * rate, latency from each packet's <em>intended</em> send time into an HdrHistogram
 * {@code Recorder}, so coordinated omission is accounted for), run step after step in
 * one warm JVM.
 *
 * <p>Why not one {@code logdist emitter} process per step: that JVM's first seconds
 * (class loading, JIT) and its connection set-up land in the step's histogram and its
 * rate, and at a 1% tail they dominate p99. Here a warm-up step runs first, unrecorded,
 * and each recorded step is a fresh {@link Emitter} (fresh connections and emitterIds,
 * fresh histogram) in the already warm JVM.
 *
 * <p>Each step: start an emitter at the offered rate for {@code --step}; after
 * {@code --skip}, sample the emitter's counters, the CPU time of every {@code --watch}ed
 * process ({@code /proc/PID/stat} utime+stime) and of the whole machine
 * ({@code /proc/stat}); sample again just before the step ends. Throughput is the ACKed
 * messages and payload bytes between the two samples over the time between them; CPU is
 * the difference; "kernel" is the CPU of kernel threads (ksoftirqd: loopback networking
 * done outside the processes' own time), and "other" is the machine's busy time minus all
 * of these: anything else that ran (a build, a test) shows up there.
 * Latency percentiles are over the whole step; next to the ack latency, each step reports
 * the generator's send lag (how late paced packets were written against their intended
 * times), which tells the generator's own delays from the path's.
 *
 * <p>A step during which other processes took more than {@code --max-other-cpu} of one CPU
 * is run again (up to {@code --retries} times) once the machine is quiet; if it never is,
 * the row says "disturbed".
 *
 * <p>Offered rates: a number of msgs/s, {@code max} (unpaced: as fast as the window
 * allows) or {@code half} (half the median of the {@code max} steps so far).
 *
 * <p>Threads: the main thread drives the steps; the emitter has its own.
 */
@Command(name = "load-sweep", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Runs the logdist emitter at a series of offered rates in one warm JVM and reports each step.")
public final class LoadSweep implements Callable<Integer> {
    @Option(names = "--distributor", required = true, paramLabel = "HOST:PORT", description = "Where to send.")
    HostPort distributor;

    @Option(names = "--rates", required = true, split = ",", paramLabel = "RATE",
        description = "Offered rates in order: msgs/s, 'max' (unpaced) or 'half' (half the median 'max').")
    List<String> rates;

    @Option(names = "--step", defaultValue = "20s", paramLabel = "DURATION", description = "Length of each step (default ${DEFAULT-VALUE}).")
    Duration step;

    @Option(names = "--skip", defaultValue = "2s", paramLabel = "DURATION",
        description = "Start of each step left out of the throughput and CPU figures (default ${DEFAULT-VALUE}).")
    Duration skip;

    @Option(names = "--warmup", defaultValue = "10s", paramLabel = "DURATION",
        description = "Unrecorded unpaced run before the first step (default ${DEFAULT-VALUE}); 0 for none.")
    Duration warmup;

    @Option(names = "--connections", defaultValue = "4", description = "Emitter connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--message-bytes", defaultValue = "128", description = "Bytes per message (default ${DEFAULT-VALUE}).")
    int messageBytes;

    @Option(names = "--messages-per-packet", defaultValue = "32", description = "Messages per packet (default ${DEFAULT-VALUE}).")
    int messagesPerPacket;

    @Option(names = "--window", defaultValue = "256", description = "Window asked per connection (default ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--watch", paramLabel = "NAME=PID[+PID...]",
        description = "Processes whose CPU time to measure under one name (several PIDs are summed); repeat.")
    List<String> watch = new ArrayList<>();

    @Option(names = "--cost-of", paramLabel = "NAME", description = "The watched process whose CPU seconds per GB to report.")
    String costOf;

    @Option(names = "--metrics", paramLabel = "URL",
        description = "The distributor's /metrics: each step also reports the p99 of its time inside the distributor "
            + "and of the analyzers' round trips, from the distributor's histograms (read at each end of the step).")
    URI metrics;

    @Option(names = "--clk-tck", defaultValue = "100", description = "Clock ticks per second of /proc times (getconf CLK_TCK).")
    int clkTck;

    @Option(names = "--jsonl", paramLabel = "FILE", description = "Append one JSON object per step.")
    Path jsonl;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Write the steps as a Markdown table.")
    Path markdown;

    @Option(names = "--label", defaultValue = "logdist", description = "Name of this configuration in the output.")
    String label;

    @Option(names = "--max-other-cpu", defaultValue = "10", paramLabel = "PERCENT",
        description = "A step during which other processes used more than this %% of one CPU is disturbed (default ${DEFAULT-VALUE}).")
    int maxOtherCpuPct;

    @Option(names = "--retries", defaultValue = "2",
        description = "How often a disturbed step is run again, after waiting for a quiet machine (default ${DEFAULT-VALUE}).")
    int retries;

    private final Map<String, long[]> watched = new LinkedHashMap<>();
    private LatencyHistograms histograms;
    private final List<Step> steps = new ArrayList<>();

    public static void main(String[] args) {
        CommandLines.run(new LoadSweep(), args);
    }

    /** One recorded step. */
    record Step(String offeredLabel, long offered, double seconds, double msgsPerS, double mbPerS,
                EmitterReport.Latency latencyUs, EmitterReport.Latency sendLagUs, long nacked, long unacked,
                Map<String, Double> cpuSeconds, double kernelCpuSeconds, double otherCpuSeconds,
                double machineBusySeconds, Double costCpuSPerGb, Map<String, Long> rssKb,
                Double distributorP99Ms, Double roundTripP99Ms) {
    }

    @Override
    public Integer call() throws Exception {
        for (String w : watch) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--watch " + w + ": write NAME=PID");
            }
            watched.put(w.substring(0, eq), Arrays.stream(w.substring(eq + 1).split("\\+")).mapToLong(Long::parseLong).toArray());
        }
        if (metrics != null) {
            histograms = new LatencyHistograms(metrics);
        }
        if (costOf != null && !watched.containsKey(costOf)) {
            throw new IllegalArgumentException("--cost-of " + costOf + " is not one of the --watch names " + watched.keySet());
        }
        if (!warmup.isZero()) {
            System.out.printf(Locale.ROOT, "%s: warm-up, unpaced, %d s%n", label, warmup.toSeconds());
            runEmitter(0, warmup, null);
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        out.println(header());
        out.println(separator());
        for (String r : rates) {
            long offered = offered(r);
            Step s = runEmitter(offered, step, r);
            for (int attempt = 1; attempt <= retries && disturbed(s); attempt++) {
                out.printf(Locale.ROOT, "%s: step %s disturbed (other CPU %.0f%% > %d%%); waiting, then again (%d of %d)%n",
                    label, r, 100 * s.otherCpuSeconds / s.seconds, maxOtherCpuPct, attempt, retries);
                waitForQuiet();
                s = runEmitter(offered, step, r);
            }
            steps.add(s);
            out.println(row(s));
            if (jsonl != null) {
                Files.writeString(jsonl, json(s) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
            TimeUnit.MILLISECONDS.sleep(1500); // let the queues empty before the next step
        }
        String summary = summary();
        out.println(summary);
        if (markdown != null) {
            StringBuilder md = new StringBuilder(header()).append('\n').append(separator()).append('\n');
            for (Step s : steps) {
                md.append(row(s)).append('\n');
            }
            md.append('\n').append(summary).append('\n');
            Files.writeString(markdown, md.toString(), StandardCharsets.UTF_8);
        }
        return 0;
    }

    private boolean disturbed(Step s) {
        return 100 * s.otherCpuSeconds / s.seconds > maxOtherCpuPct;
    }

    /** Waits (at most a minute) until the machine, our processes aside, is under 10 % busy over 3 s. */
    private void waitForQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        do {
            TimeUnit.SECONDS.sleep(2);
            long busy0 = machineBusyTicks();
            long ours0 = watchedTicks() + processTicks(ProcessHandle.current().pid());
            TimeUnit.SECONDS.sleep(3);
            long other = (machineBusyTicks() - busy0) - (watchedTicks() + processTicks(ProcessHandle.current().pid()) - ours0);
            if (100.0 * other / (3.0 * clkTck) < 10) {
                return;
            }
        } while (System.nanoTime() < deadline);
    }

    private long watchedTicks() {
        long t = 0;
        for (long[] pids : watched.values()) {
            for (long pid : pids) {
                t += processTicks(pid);
            }
        }
        return t;
    }

    private long offered(String r) {
        switch (r.trim()) {
            case "max":
                return 0;
            case "half": {
                double[] maxes = unpacedRates();
                if (maxes.length == 0) {
                    throw new IllegalArgumentException("'half' needs a 'max' step before it");
                }
                return Math.max(1, Math.round(median(maxes) / 2));
            }
            default:
                return Long.parseLong(r.trim());
        }
    }

    /** Runs one emitter for {@code d}; with a label, measures and returns the step, else (warm-up) null. */
    private Step runEmitter(long rate, Duration d, String offeredLabel) throws Exception {
        EmitterConfig config = EmitterConfig.defaults(distributor)
            .withRatePerSecond(rate)
            .withDuration(d)
            .withConnections(connections)
            .withMessageBytes(messageBytes)
            .withMessagesPerPacket(messagesPerPacket)
            .withWindow(window)
            .withPriority(PrioritySpec.fixed(0))
            .withName(label + "-sweep")
            .withQuiet(true);
        Map<String, LatencyHistograms.Buckets> before = offeredLabel != null && histograms != null ? histograms.read() : null;
        long startNs = System.nanoTime();
        try (Emitter emitter = Emitter.start(config)) {
            if (offeredLabel == null) {
                emitter.completion().get(d.toSeconds() + 120, TimeUnit.SECONDS);
                return null;
            }
            sleepUntil(startNs + skip.toNanos());
            Sample a = sample(emitter);
            sleepUntil(startNs + d.toNanos() - TimeUnit.MILLISECONDS.toNanos(200));
            Sample b = sample(emitter);
            if (b.report.packetsAcked() == 0) {
                throw new CommandLines.UserError("no packet was acknowledged in the step at " + offeredLabel
                    + "; is anything listening on " + distributor + "?");
            }
            EmitterReport end = emitter.completion().get(d.toSeconds() + 120, TimeUnit.SECONDS);
            double seconds = (b.nanos - a.nanos) / 1e9;
            long messages = b.report.messagesAcked() - a.report.messagesAcked();
            long bytes = b.report.bytesAcked() - a.report.bytesAcked();
            Map<String, Double> cpu = new LinkedHashMap<>();
            double watchedCpu = 0;
            for (String name : watched.keySet()) {
                double s = (b.cpuTicks.get(name) - a.cpuTicks.get(name)) / (double) clkTck;
                cpu.put(name, s);
                watchedCpu += s;
            }
            double self = (b.selfTicks - a.selfTicks) / (double) clkTck;
            cpu.put("load-generator", self);
            double busy = (b.machineBusyTicks - a.machineBusyTicks) / (double) clkTck;
            double kernel = (b.kernelThreadTicks - a.kernelThreadTicks) / (double) clkTck;
            double other = Math.max(0, busy - watchedCpu - self - kernel);
            Double cost = costOf == null || bytes == 0 ? null : cpu.get(costOf) / (bytes / 1e9);
            long unacked = end.packetsSent() - end.packetsAcked() - end.packetsNacked();
            Double distributorP99Ms = null;
            Double roundTripP99Ms = null;
            if (before != null) {
                Map<String, LatencyHistograms.Buckets> after = histograms.read();
                distributorP99Ms = p99Ms(after, before, LatencyHistograms.IN_DISTRIBUTOR);
                roundTripP99Ms = p99Ms(after, before, LatencyHistograms.ANALYZER_ROUND_TRIP);
            }
            return new Step(offeredLabel, rate, seconds, messages / seconds, bytes / seconds / 1e6, end.latencyUs(),
                end.sendLagUs(), end.packetsNacked(), Math.max(0, unacked), cpu, kernel, other, busy, cost, b.rssKb,
                distributorP99Ms, roundTripP99Ms);
        }
    }

    private static Double p99Ms(Map<String, LatencyHistograms.Buckets> after, Map<String, LatencyHistograms.Buckets> before,
                                String histogram) {
        double q = after.get(histogram).minus(before.get(histogram)).quantile(0.99);
        return Double.isNaN(q) ? null : q * 1000;
    }

    private record Sample(long nanos, EmitterReport report, Map<String, Long> cpuTicks, long selfTicks,
                          long kernelThreadTicks, long machineBusyTicks, Map<String, Long> rssKb) {
    }

    private Sample sample(Emitter emitter) {
        long busy = machineBusyTicks();
        Map<String, Long> ticks = new LinkedHashMap<>();
        Map<String, Long> rss = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : watched.entrySet()) {
            long t = 0;
            long kb = 0;
            for (long pid : e.getValue()) {
                t += processTicks(pid);
                kb += statusKb(pid, "VmRSS:");
            }
            ticks.put(e.getKey(), t);
            rss.put(e.getKey(), kb);
        }
        long self = processTicks(ProcessHandle.current().pid());
        return new Sample(System.nanoTime(), emitter.snapshot(), ticks, self, kernelThreadTicks(), busy, rss);
    }

    private static void sleepUntil(long deadlineNs) throws InterruptedException {
        long left;
        while ((left = deadlineNs - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    // ---------------------------------------------------------------- /proc (Linux)

    /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat). */
    static long processTicks(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** utime + stime of all kernel threads (kthreadd, PID 2, and its children), in clock ticks. */
    static long kernelThreadTicks() {
        long sum = 0;
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path d : dirs) {
                String stat;
                try {
                    stat = Files.readString(d.resolve("stat"), StandardCharsets.US_ASCII);
                } catch (IOException e) {
                    continue; // gone meanwhile
                }
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
                if (f[1].equals("2") || d.getFileName().toString().equals("2")) { // ppid, or kthreadd itself
                    sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list /proc", e);
        }
        return sum;
    }

    /** Busy ticks of the whole machine: the first line of /proc/stat without idle and iowait. */
    static long machineBusyTicks() {
        String first = read(Path.of("/proc/stat")).lines().findFirst().orElseThrow();
        String[] f = first.trim().split(" +");
        long busy = 0;
        // cpu user nice system idle iowait irq softirq steal ...
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
            busy += Long.parseLong(f[i]);
        }
        return busy;
    }

    /** A {@code kB} field of /proc/PID/status, or -1. */
    static long statusKb(long pid, String field) {
        for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split(" +")[0]);
            }
        }
        return -1;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + " (has the process gone?)", e);
        }
    }

    // ---------------------------------------------------------------- output

    /** Achieved rates of the unpaced ('max') steps so far, sorted. */
    private double[] unpacedRates() {
        return steps.stream().filter(s -> s.offered == 0).mapToDouble(Step::msgsPerS).sorted().toArray();
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The unpaced steps as median and range, the figure the targets are read against. */
    private String summary() {
        double[] maxes = unpacedRates();
        if (maxes.length == 0) {
            return label + ": no unpaced step";
        }
        double median = median(maxes);
        return String.format(Locale.ROOT, "%s maximum: median %,.0f msgs/s over %d unpaced runs (range %,.0f .. %,.0f, spread %.1f%%)",
            label, median, maxes.length, maxes[0], maxes[maxes.length - 1],
            100 * (maxes[maxes.length - 1] - maxes[0]) / median);
    }

    private String header() {
        StringBuilder h = new StringBuilder("| run | offered msgs/s | achieved msgs/s | MB/s | ack p50 ms | ack p99 ms | ack p99.9 ms | ack max ms | send lag p99 ms | nacked |");
        if (metrics != null) {
            h.append(" in distributor p99 ms | analyzer round trip p99 ms |");
        }
        if (costOf != null) {
            h.append(' ').append(costOf).append(" CPU s/GB |");
        }
        for (String name : watched.keySet()) {
            h.append(' ').append(name).append(" CPU % |");
        }
        h.append(" load-gen CPU % | kernel threads CPU % | other CPU % |");
        return h.toString();
    }

    private String separator() {
        int columns = 10 + (metrics != null ? 2 : 0) + (costOf != null ? 1 : 0) + watched.size() + 3;
        return "|" + "---|".repeat(columns);
    }

    private String row(Step s) {
        StringBuilder r = new StringBuilder();
        String offered = s.offered == 0 ? "max (unpaced)" : String.format(Locale.ROOT, "%,d", s.offered)
            + (s.offeredLabel.equals("half") ? " (half)" : "");
        r.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.1f | %.2f | %.2f | %.2f | %.2f | %s | %d |", label,
            offered, s.msgsPerS, s.mbPerS, s.latencyUs.p50() / 1000.0, s.latencyUs.p99() / 1000.0,
            s.latencyUs.p999() / 1000.0, s.latencyUs.max() / 1000.0,
            s.offered == 0 ? "-" : String.format(Locale.ROOT, "%.2f", s.sendLagUs.p99() / 1000.0), s.nacked));
        if (metrics != null) {
            r.append(' ').append(ms(s.distributorP99Ms)).append(" | ").append(ms(s.roundTripP99Ms)).append(" |");
        }
        if (costOf != null) {
            r.append(s.costCpuSPerGb == null ? " - |" : String.format(Locale.ROOT, " %.2f |", s.costCpuSPerGb));
        }
        for (String name : watched.keySet()) {
            r.append(String.format(Locale.ROOT, " %.0f |", 100 * s.cpuSeconds.get(name) / s.seconds));
        }
        r.append(String.format(Locale.ROOT, " %.0f | %.0f | %.0f%s |", 100 * s.cpuSeconds.get("load-generator") / s.seconds,
            100 * s.kernelCpuSeconds / s.seconds, 100 * s.otherCpuSeconds / s.seconds, disturbed(s) ? " (disturbed)" : ""));
        return r.toString();
    }

    private static String ms(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    private String json(Step s) {
        StringBuilder j = new StringBuilder("{");
        j.append(String.format(Locale.ROOT, "\"label\":\"%s\",\"offered\":%d,\"offered_label\":\"%s\",\"seconds\":%.3f,"
                + "\"msgs_per_s\":%.1f,\"mb_per_s\":%.3f,\"latency_us\":{\"p50\":%d,\"p99\":%d,\"p999\":%d,\"max\":%d},"
                + "\"send_lag_us\":{\"p50\":%d,\"p99\":%d,\"p999\":%d,\"max\":%d},"
                + "\"nacked\":%d,\"unacked_at_end\":%d,\"machine_busy_cpu_s\":%.2f,\"kernel_threads_cpu_s\":%.2f,\"other_cpu_s\":%.2f,",
            label, s.offered, s.offeredLabel, s.seconds, s.msgsPerS, s.mbPerS, s.latencyUs.p50(), s.latencyUs.p99(),
            s.latencyUs.p999(), s.latencyUs.max(), s.sendLagUs.p50(), s.sendLagUs.p99(), s.sendLagUs.p999(),
            s.sendLagUs.max(), s.nacked, s.unacked, s.machineBusySeconds, s.kernelCpuSeconds,
            s.otherCpuSeconds));
        if (s.costCpuSPerGb != null) {
            j.append(String.format(Locale.ROOT, "\"%s_cpu_s_per_gb\":%.3f,", costOf, s.costCpuSPerGb));
        }
        if (s.distributorP99Ms != null) {
            j.append(String.format(Locale.ROOT, "\"in_distributor_p99_ms\":%.3f,", s.distributorP99Ms));
        }
        if (s.roundTripP99Ms != null) {
            j.append(String.format(Locale.ROOT, "\"analyzer_round_trip_p99_ms\":%.3f,", s.roundTripP99Ms));
        }
        j.append("\"cpu_s\":{");
        j.append(String.join(",", s.cpuSeconds.entrySet().stream()
            .map(e -> String.format(Locale.ROOT, "\"%s\":%.2f", e.getKey(), e.getValue())).toList()));
        j.append("},\"rss_kb\":{");
        j.append(String.join(",", s.rssKb.entrySet().stream()
            .map(e -> String.format(Locale.ROOT, "\"%s\":%d", e.getKey(), e.getValue())).toList()));
        j.append("}}");
        return j.toString();
    }
}
