package io.logdist.distributor.metrics;

/**
 * The largest deviation, over the analyzers, of the actual share of messages from the
 * share its weight asks for: over the last 10 s against the effective weights, and since
 * start against the configured weights. Fractions (0.01 is one point).
 */
public record ShareDeviations(double last10s, double sinceStart) {
}
