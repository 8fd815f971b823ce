package io.logdist.benchmarks.tools;

import io.logdist.protocol.cli.CommandLines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * How often this machine takes a CPU away from a thread that never sleeps, and for how
 * long. On a virtual machine the host can stop a virtual CPU for milliseconds; the guest
 * kernel does not see it (no steal time is accounted) and no program in the guest can do
 * anything about it, but every packet that needed that CPU then waits. {@code make bench}
 * runs one of these per CPU ({@code taskset -c N}) on the idle machine, before and after
 * its sweep, so that a recorded run says how much of a latency budget the machine itself
 * took that day.
 *
 * <pre>
 * taskset -c 0 java -cp benchmarks/target/benchmarks.jar io.logdist.benchmarks.tools.MachineStalls --seconds 20 --label cpu0
 * </pre>
 *
 * <p>Prints one line. Threads: the main thread spins on {@link System#nanoTime()} for the
 * whole run; it allocates nothing there.
 */
@Command(name = "machine-stalls", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Spin on the clock and report the gaps: time this CPU was taken from a thread that never sleeps.")
public final class MachineStalls implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "20", paramLabel = "S", description = "How long to measure (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--warmup", defaultValue = "1s", paramLabel = "DURATION",
        description = "Spin this long first, unrecorded, so that JIT compilation is not counted (default ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--budget", defaultValue = "2ms", paramLabel = "DURATION",
        description = "Latency budget: report how much stall time lies beyond it (default ${DEFAULT-VALUE}).")
    Duration budget;

    @Option(names = "--label", defaultValue = "cpu", description = "Name for this run in the output (default ${DEFAULT-VALUE}).")
    String label;

    public static void main(String[] args) {
        CommandLines.run(new MachineStalls(), args);
    }

    @Override
    public Integer call() {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("--seconds must be positive, got " + seconds);
        }
        if (budget.isZero() || budget.isNegative()) {
            throw new IllegalArgumentException("--budget must be positive, e.g. 2ms");
        }
        spin(new StallTally(budget.toNanos()), warmup.toNanos());
        StallTally tally = new StallTally(budget.toNanos());
        long measured = spin(tally, (long) (seconds * 1e9));
        System.out.println(line(tally, measured));
        return 0;
    }

    /** Spins for {@code nanos}, feeding every gap between clock reads to {@code tally}; returns the time spun. */
    private static long spin(StallTally tally, long nanos) {
        long start = System.nanoTime();
        long end = start + nanos;
        long previous = start;
        long now;
        do {
            now = System.nanoTime();
            tally.gap(now - previous);
            previous = now;
        } while (now - end < 0);
        return now - start;
    }

    private String line(StallTally tally, long measuredNanos) {
        long[] counts = tally.counts();
        double minutes = measuredNanos / 60e9;
        StringBuilder out = new StringBuilder(label).append(": stalls per minute");
        for (int i = 0; i < counts.length; i++) {
            out.append(String.format(Locale.ROOT, " >%s %.0f", millis(StallTally.THRESHOLDS_NANOS[i]), counts[i] / minutes));
        }
        return out.append(String.format(Locale.ROOT, "; longest %.2f ms; %.3f %% of the time stalled, %.3f %% beyond %s ms",
            tally.longestNanos() / 1e6, percent(tally.stalledNanos(), measuredNanos),
            percent(tally.beyondBudgetNanos(), measuredNanos), millis(tally.budgetNanos()))).toString();
    }

    private static String millis(long nanos) {
        return nanos % 1_000_000 == 0 ? Long.toString(nanos / 1_000_000) : Double.toString(nanos / 1e6);
    }

    private static double percent(long part, long whole) {
        return 100.0 * part / whole;
    }
}
