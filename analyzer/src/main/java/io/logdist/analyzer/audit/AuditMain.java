package io.logdist.analyzer.audit;

import io.logdist.protocol.cli.CommandLines;
import io.logdist.protocol.cli.CommandLines.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@code audit} program: reads emitter reports, analyzer record files and the
 * distributor's dead-letter files, and proves that every acknowledged packet reached an
 * analyzer or a dead-letter file (see {@link Audit}).
 *
 * <p>Runs on the main thread.
 *
 * <p>Exit codes: 0 when nothing acked was lost, 1 when something was, 2 for bad input
 * (bad command line, missing file, bad JSON), with one line saying what.
 */
@Command(name = "audit", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Checks from emitter reports and analyzer record files that no acknowledged packet was lost, "
        + "and compares each analyzer's share of messages with what its weight and uptime earn it.")
public final class AuditMain implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--emitter-report", required = true, paramLabel = "FILE",
        description = "JSON report of an emitter (repeatable).")
    private List<Path> emitterReports;

    @Option(names = "--analyzer", required = true, paramLabel = "NAME=WEIGHT:RECORDFILE", converter = AnalyzerSpec.Converter.class,
        description = "An analyzer, its weight and its record file (repeatable).")
    private List<AnalyzerSpec> analyzers;

    @Option(names = "--dead-letter", paramLabel = "FILE|DIR",
        description = "A dead-letter file of the distributor, or a directory of them (repeatable): packets in it were "
            + "acknowledged because they were written there, so they count as accounted for, not lost.")
    private List<Path> deadLetters = new ArrayList<>();

    @Option(names = "--bucket", defaultValue = "100ms", paramLabel = "DURATION",
        description = "Time bucket for deciding which analyzers were up (default: ${DEFAULT-VALUE}).")
    private Duration bucket;

    @Option(names = "--slow-start", defaultValue = "0", paramLabel = "DURATION",
        description = "The distributor's --slow-start: an analyzer that comes back is owed a weight ramping up over it (default: 0, none).")
    private Duration slowStart;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    private Path json;

    public static void main(String[] args) {
        CommandLines.run(new AuditMain(), args);
    }

    @Override
    public Integer call() {
        AuditResult result = Audit.run(emitterReports, analyzers, deadLetters, bucket, slowStart);
        AuditOutput.printTable(result, spec.commandLine().getOut());
        if (json != null) {
            try {
                AuditOutput.writeJson(result, json);
            } catch (IOException e) {
                throw new UserError("cannot write " + json + ": " + e.getMessage());
            }
        }
        return result.lost() == 0 ? 0 : 1;
    }
}
