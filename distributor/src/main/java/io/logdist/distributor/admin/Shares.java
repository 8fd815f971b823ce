package io.logdist.distributor.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each analyzer's actual share of messages against its weight.
 *
 * <ul>
 * <li>{@code weightShare}: its configured weight over the sum of the configured weights.
 * <li>{@code expectedShare}: its effective weight (0 while down, draining or ejected,
 *     ramping during slow start) over the sum of the effective weights: what routing aims
 *     for right now.
 * <li>{@code sinceStart}: messages delivered to it over messages delivered to all
 *     analyzers present, since the distributor started.
 * <li>{@code last10s}: the same over the last 10 s ({@link TrafficHistory}).
 * </ul>
 *
 * Analyzers in state {@code removed} take no part. A share is null while nothing was
 * delivered in its window.
 *
 * <p>Thread: pure functions over their arguments; the history is the admin thread's.
 */
final class Shares {
    /** One analyzer's shares and rate. */
    record Row(double weightShare, double expectedShare, Double sinceStart, Double last10s, double messagesPerSecond) {
    }

    private Shares() {
    }

    /** Rows by analyzer name, in the order of {@code views}. */
    static Map<String, Row> of(List<AnalyzerView> views, TrafficHistory history) {
        double weights = 0;
        double effective = 0;
        long delivered = 0;
        long recent = 0;
        for (AnalyzerView v : views) {
            if (v.present()) {
                weights += v.weight();
                effective += Math.max(0, v.effectiveWeight());
                delivered += v.messagesDelivered();
                recent += history.recentMessages(v.name());
            }
        }
        Map<String, Row> rows = new LinkedHashMap<>();
        for (AnalyzerView v : views) {
            if (!v.present()) {
                continue;
            }
            rows.put(v.name(), new Row(
                weights > 0 ? v.weight() / weights : 0,
                effective > 0 ? Math.max(0, v.effectiveWeight()) / effective : 0,
                delivered > 0 ? (double) v.messagesDelivered() / delivered : null,
                recent > 0 ? (double) history.recentMessages(v.name()) / recent : null,
                history.messagesPerSecond(v.name())));
        }
        return rows;
    }

    /** The largest |share over the last 10 s − expected share|; 0 when nothing was delivered lately. */
    static double maxRecentDeviation(Map<String, Row> rows) {
        double max = 0;
        for (Row r : rows.values()) {
            if (r.last10s() != null) {
                max = Math.max(max, Math.abs(r.last10s() - r.expectedShare()));
            }
        }
        return max;
    }

    /** The largest |share since start − weight share|; 0 before anything was delivered. */
    static double maxDeviationSinceStart(Map<String, Row> rows) {
        double max = 0;
        for (Row r : rows.values()) {
            if (r.sinceStart() != null) {
                max = Math.max(max, Math.abs(r.sinceStart() - r.weightShare()));
            }
        }
        return max;
    }
}
