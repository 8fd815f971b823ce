package io.logdist.distributor.admin;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The last minute of traffic, one sample a second: messages in, and per analyzer its
 * cumulative {@code messagesDelivered}. From it come the rates (messages per second over
 * the last second, and each second of the last minute for the dashboard's charts), each
 * analyzer's messages over the last 10 s (for its actual share) and each emitter's
 * packets per second.
 *
 * <p>Thread: confined to the admin thread, which calls {@link #record} once a second and
 * answers API requests between samples; not thread-safe.
 */
final class TrafficHistory {
    /** Seconds of rates kept for the charts. */
    static final int SECONDS = 60;
    /** The window of the "recent" share. */
    static final int SHARE_WINDOW_SECONDS = 10;
    private static final int CAPACITY = SECONDS + 1;

    // Only the previous sample's time and count are read (for the rates): scalars, not rings.
    private long lastNs;
    private long lastMessagesIn;
    private final double[] inRates = new double[CAPACITY];
    private final double[] outRates = new double[CAPACITY];
    private final Map<String, Series> analyzers = new HashMap<>();
    private Map<String, long[]> emitterCounts = new HashMap<>();
    private final Map<String, Double> emitterRates = new HashMap<>();
    /** Samples taken so far; the latest is at index {@code (ticks - 1) % CAPACITY}. */
    private long ticks;

    /** One analyzer's cumulative messages delivered, per sample since it first appeared. */
    private static final class Series {
        final long firstTick;
        final long[] messages = new long[CAPACITY];
        final double[] rates = new double[CAPACITY];
        long lastTick;

        Series(long firstTick) {
            this.firstTick = firstTick;
        }

        long at(long tick) {
            return messages[(int) (tick % CAPACITY)];
        }
    }

    /** One analyzer's counter as sampled. */
    record AnalyzerSample(String name, long messagesDelivered) {
    }

    /** One emitter's counter as sampled; {@code key} tells connections apart. */
    record EmitterSample(String key, long packetsIn) {
    }

    /** Takes one sample: the counters now. */
    void record(long nowNs, long totalMessagesIn, List<AnalyzerSample> analyzerSamples, List<EmitterSample> emitterSamples) {
        long tick = ticks;
        int i = (int) (tick % CAPACITY);
        double dtSeconds = tick == 0 ? 0 : (nowNs - lastNs) / 1e9;
        inRates[i] = tick == 0 || dtSeconds <= 0 ? 0 : Math.max(0, totalMessagesIn - lastMessagesIn) / dtSeconds;
        lastNs = nowNs;
        lastMessagesIn = totalMessagesIn;
        double out = 0;
        for (AnalyzerSample a : analyzerSamples) {
            Series s = analyzers.get(a.name());
            if (s == null || s.firstTick < tick && a.messagesDelivered() < s.at(tick - 1)) {
                // New, or a new analyzer under the name (moved, or removed and added again): its count began at 0.
                s = new Series(tick);
                analyzers.put(a.name(), s);
            }
            s.messages[i] = a.messagesDelivered();
            double rate = 0;
            if (s.firstTick < tick && dtSeconds > 0) {
                rate = Math.max(0, a.messagesDelivered() - s.at(tick - 1)) / dtSeconds;
            }
            s.rates[i] = rate;
            s.lastTick = tick;
            out += rate;
        }
        outRates[i] = out;
        for (Iterator<Series> it = analyzers.values().iterator(); it.hasNext(); ) {
            if (it.next().lastTick != tick) {
                it.remove();
            }
        }
        Map<String, long[]> counts = new HashMap<>();
        emitterRates.clear();
        for (EmitterSample e : emitterSamples) {
            long[] prev = emitterCounts.get(e.key());
            counts.put(e.key(), new long[] {e.packetsIn()});
            if (prev != null && dtSeconds > 0) {
                emitterRates.put(e.key(), Math.max(0, e.packetsIn() - prev[0]) / dtSeconds);
            }
        }
        emitterCounts = counts;
        ticks = tick + 1;
    }

    /** Messages per second into the distributor over the last second. */
    double messagesInPerSecond() {
        return ticks == 0 ? 0 : inRates[(int) ((ticks - 1) % CAPACITY)];
    }

    /** Messages per second delivered to all analyzers over the last second. */
    double messagesOutPerSecond() {
        return ticks == 0 ? 0 : outRates[(int) ((ticks - 1) % CAPACITY)];
    }

    /** Messages per second delivered to {@code analyzer} over the last second (0 until known). */
    double messagesPerSecond(String analyzer) {
        Series s = analyzers.get(analyzer);
        return s == null ? 0 : s.rates[(int) (s.lastTick % CAPACITY)];
    }

    /**
     * Messages delivered to {@code analyzer} over the last {@value #SHARE_WINDOW_SECONDS} s
     * (or since it appeared, when that is more recent); 0 until it was sampled twice.
     */
    long recentMessages(String analyzer) {
        Series s = analyzers.get(analyzer);
        if (s == null) {
            return 0;
        }
        long latest = s.lastTick;
        long from = Math.max(s.firstTick, latest - SHARE_WINDOW_SECONDS);
        return Math.max(0, s.at(latest) - s.at(from));
    }

    /** The last {@value #SECONDS} per-second rates of {@code analyzer}, oldest first; 0 where unknown. */
    double[] rateHistory(String analyzer) {
        Series s = analyzers.get(analyzer);
        return s == null ? new double[SECONDS] : history(s.rates, s.firstTick + 1);
    }

    /** The last {@value #SECONDS} per-second rates in, oldest first. */
    double[] inHistory() {
        return history(inRates, 1);
    }

    /** The last {@value #SECONDS} per-second rates out (all analyzers), oldest first. */
    double[] outHistory() {
        return history(outRates, 1);
    }

    private double[] history(double[] ring, long firstValidTick) {
        double[] out = new double[SECONDS];
        for (int k = 0; k < SECONDS; k++) {
            long tick = ticks - SECONDS + k;
            if (tick >= firstValidTick && tick >= 0) {
                out[k] = ring[(int) (tick % CAPACITY)];
            }
        }
        return out;
    }

    /** Packets per second from the emitter connection {@code key} over the last second (0 until known). */
    double emitterPacketsPerSecond(String key) {
        return emitterRates.getOrDefault(key, 0.0);
    }
}
