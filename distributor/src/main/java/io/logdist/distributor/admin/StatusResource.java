package io.logdist.distributor.admin;

import io.logdist.distributor.Distributor;
import io.logdist.distributor.ingest.IngestStats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Health, readiness, the distributor's totals, its emitters and the last minute's rates.
 *
 * <pre>
 * GET /health        200 while the process serves HTTP
 * GET /ready         200 when the emitter listener is bound and at least one analyzer is up; 503 with the reason otherwise
 * GET /api/status    totals and rates in and out
 * GET /api/emitters  connected emitters: address, emitterId, name, packets/s, window in use
 * GET /api/rates     messages/s in, out and per analyzer, each second of the last minute (oldest first)
 * </pre>
 *
 * <p>Thread: the admin thread.
 */
final class StatusResource {
    /** Link states in which an analyzer takes new packets. */
    private static final List<String> ROUTABLE_STATES = List.of("up", "slow-start");

    private final Distributor distributor;
    private final TrafficHistory history;
    private final long startedMs = System.currentTimeMillis();

    StatusResource(Distributor distributor, TrafficHistory history) {
        this.distributor = distributor;
        this.history = history;
    }

    AdminResponse health() {
        return Json.ok(Map.of("status", "ok"));
    }

    AdminResponse ready() {
        if (!distributor.listening()) {
            return Json.error(503, "not ready", "the emitter listener is not bound");
        }
        List<AnalyzerView> views = distributor.analyzers();
        List<String> up = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (AnalyzerView v : views) {
            if (ROUTABLE_STATES.contains(v.state())) {
                up.add(v.name());
            } else {
                others.add(v.name() + ": " + v.state());
            }
        }
        if (up.isEmpty()) {
            return Json.error(503, "not ready", views.isEmpty() ? "no analyzers are configured"
                : "no analyzer link is up (" + String.join(", ", others) + ")");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "ready");
        m.put("analyzersUp", up);
        return Json.ok(m);
    }

    AdminResponse status() {
        IngestStats in = distributor.ingestStats();
        List<AnalyzerView> views = distributor.analyzers();
        Map<String, Shares.Row> shares = Shares.of(views, history);
        long delivered = distributor.messagesDelivered(); // removed analyzers' count too: the total never goes down
        int up = 0;
        for (AnalyzerView v : views) {
            up += ROUTABLE_STATES.contains(v.state()) ? 1 : 0;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", distributor.config().name());
        m.put("emitterAddress", String.valueOf(distributor.emitterAddress()));
        m.put("uptimeSeconds", (System.currentTimeMillis() - startedMs) / 1000);
        m.put("emitterConnections", in.connections.get());
        m.put("packetsIn", in.packetsIn.sum());
        m.put("messagesIn", in.messagesIn.sum());
        m.put("bytesIn", in.bytesIn.sum());
        m.put("duplicates", in.duplicates.sum());
        m.put("messagesDelivered", delivered);
        m.put("messagesInPerSecond", history.messagesInPerSecond());
        m.put("messagesOutPerSecond", history.messagesOutPerSecond());
        m.put("reroutes", distributor.reroutes());
        m.put("deadLetters", distributor.deadLetters());
        m.put("analyzers", views.size());
        m.put("analyzersUp", up);
        m.put("maxShareDeviation10s", Shares.maxRecentDeviation(shares));
        return Json.ok(m);
    }

    AdminResponse emitters() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (EmitterView e : distributor.emitters()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", e.address());
            m.put("emitterId", e.emitterId());
            m.put("name", e.name());
            m.put("packetsPerSecond", history.emitterPacketsPerSecond(key(e)));
            m.put("packetsIn", e.packetsIn());
            m.put("messagesIn", e.messagesIn());
            m.put("windowInUse", e.windowInUse());
            m.put("window", e.window());
            out.add(m);
        }
        return Json.ok(out);
    }

    AdminResponse rates() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("intervalSeconds", 1);
        m.put("in", history.inHistory());
        m.put("out", history.outHistory());
        Map<String, double[]> perAnalyzer = new LinkedHashMap<>();
        for (AnalyzerView v : distributor.analyzers()) {
            if (v.present()) {
                perAnalyzer.put(v.name(), history.rateHistory(v.name()));
            }
        }
        m.put("analyzers", perAnalyzer);
        return Json.ok(m);
    }

    /** Tells emitter connections apart in the history: the same emitterId may reconnect from another port. */
    static String key(EmitterView e) {
        return e.emitterId() + "@" + e.address();
    }
}
