package io.logdist.distributor.config;

import io.logdist.protocol.cli.HostPort;
import io.netty.buffer.ByteBufUtil;

/**
 * One analyzer the distributor feeds: its name, where to dial it and its weight
 * (relative; shares are weight over the sum of the weights of the analyzers that are up).
 */
public record AnalyzerSpec(String name, HostPort address, double weight) {
    public AnalyzerSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("analyzer name is empty");
        }
        // A name is a path segment of the admin API, a metric label and part of log lines and
        // of NACK reasons, which must fit a str.
        int bytes = ByteBufUtil.utf8Bytes(name);
        if (bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("analyzer name of " + bytes + " bytes is too long: at most "
                + MAX_NAME_BYTES + " bytes of UTF-8");
        }
        if (name.chars().anyMatch(c -> c == '/' || Character.isISOControl(c))) {
            throw new IllegalArgumentException("analyzer name \"" + name.replaceAll("\\p{Cntrl}", "?")
                + "\" may not contain '/' or control characters");
        }
        if (address == null) {
            throw new IllegalArgumentException("analyzer " + name + " has no address");
        }
        if (address.port() == 0) {
            throw new IllegalArgumentException("analyzer " + name + " at " + address + ": port 0 cannot be dialled; give the analyzer's port");
        }
        try {
            checkWeight(weight, weight);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("analyzer " + name + ": " + e.getMessage());
        }
    }

    /** The longest analyzer name taken, in bytes of UTF-8. */
    public static final int MAX_NAME_BYTES = 255;

    /** The smallest weight taken: below it routing's stride (1 / weight) and slow start's 1 % lose their arithmetic. */
    public static final double MIN_WEIGHT = 1e-6;
    /** The largest weight taken: weights are relative, and a million to one is more than any share needs. */
    public static final double MAX_WEIGHT = 1e6;

    /**
     * The one check of a weight, wherever one comes from (file, flag, admin API): a
     * positive number in [{@value #MIN_WEIGHT}, {@value #MAX_WEIGHT}], since shares are a
     * weight over the sum of the weights and routing steps by one over it.
     *
     * @param written the weight as the user wrote it, for the message
     * @return {@code weight}
     * @throws IllegalArgumentException {@code weight=<written> must be a positive number ...}
     */
    public static double checkWeight(double weight, Object written) {
        if (!(weight >= MIN_WEIGHT && weight <= MAX_WEIGHT)) {
            throw new IllegalArgumentException("weight=" + written + " must be a positive number from 0.000001 to 1000000");
        }
        return weight;
    }

    /** Parses {@code NAME=HOST:PORT@WEIGHT}, e.g. {@code a1=127.0.0.1:7101@0.4}. */
    public static AnalyzerSpec parse(String value) {
        int eq = value.indexOf('=');
        int at = value.lastIndexOf('@');
        if (eq <= 0 || at < eq) {
            throw new IllegalArgumentException("'" + value + "' is not an analyzer; write NAME=HOST:PORT@WEIGHT, e.g. a1=127.0.0.1:7101@0.4");
        }
        double weight;
        try {
            weight = Double.parseDouble(value.substring(at + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' has no numeric weight after '@'; write NAME=HOST:PORT@WEIGHT");
        }
        return new AnalyzerSpec(value.substring(0, eq), HostPort.parse(value.substring(eq + 1, at)), weight);
    }

    @Override
    public String toString() {
        return name + "=" + address + "@" + weight;
    }
}
