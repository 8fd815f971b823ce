package io.logdist.analyzer.audit;

import picocli.CommandLine;

import java.nio.file.Path;

/**
 * One {@code --analyzer NAME=WEIGHT:RECORDFILE} argument of the audit.
 *
 * @param name       the analyzer's name, as shown in the table
 * @param weight     its routing weight, positive; only ratios between weights matter
 * @param recordFile its record file
 */
public record AnalyzerSpec(String name, double weight, Path recordFile) {
    public AnalyzerSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("analyzer name is empty");
        }
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight=" + weight + " of analyzer " + name + " must be a positive number");
        }
    }

    /** Parses {@code NAME=WEIGHT:RECORDFILE}, e.g. {@code a1=4:run/a1.rec}. */
    public static AnalyzerSpec parse(String value) {
        int eq = value.indexOf('=');
        int colon = eq < 0 ? -1 : value.indexOf(':', eq + 1);
        if (eq <= 0 || colon < 0 || colon == value.length() - 1) {
            throw new CommandLine.TypeConversionException(
                "'" + value + "' is not NAME=WEIGHT:RECORDFILE, e.g. a1=4:run/a1.rec");
        }
        double weight;
        try {
            weight = Double.parseDouble(value.substring(eq + 1, colon));
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' has no numeric weight; write NAME=WEIGHT:RECORDFILE");
        }
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new CommandLine.TypeConversionException("'" + value + "' has weight " + weight + "; weights must be positive");
        }
        return new AnalyzerSpec(value.substring(0, eq), weight, Path.of(value.substring(colon + 1)));
    }

    /** picocli converter for {@link AnalyzerSpec}. */
    public static final class Converter implements CommandLine.ITypeConverter<AnalyzerSpec> {
        @Override
        public AnalyzerSpec convert(String value) {
            return parse(value);
        }
    }
}
