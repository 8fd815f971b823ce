package io.logdist.protocol.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses durations written as a number and a unit: {@code 500ms}, {@code 15s},
 * {@code 2m}, {@code 1h} (also {@code us}). A bare {@code 0} is zero.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s|m|h)");
    /** 100,000 hours (11 years): longer than any timeout or run means, well inside a long of nanoseconds. */
    private static final double MAX_NANOS = 100_000 * 3600e9;

    @Override
    public Duration convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /** Parses {@code value}; throws {@link IllegalArgumentException} saying what is accepted. */
    public static Duration parse(String value) {
        String v = value.trim();
        if (v.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = FORMAT.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                "'" + value + "' is not a duration; write a number and a unit, e.g. 500ms, 15s, 2m");
        }
        double n = Double.parseDouble(m.group(1));
        double nanosPerUnit = switch (m.group(2)) {
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            default -> throw new IllegalStateException(m.group(2));
        };
        double nanos = n * nanosPerUnit;
        // Math.round would make 3000000h 292 years and 0.0001us zero, without a word.
        if (nanos > MAX_NANOS) {
            throw new IllegalArgumentException("'" + value + "' is too long; the most taken is 100000h");
        }
        if (n > 0 && nanos < 1) {
            throw new IllegalArgumentException("'" + value + "' is under a nanosecond; write 0 for none");
        }
        return Duration.ofNanos(Math.round(nanos));
    }
}
