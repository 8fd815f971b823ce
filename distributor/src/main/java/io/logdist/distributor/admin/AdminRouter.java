package io.logdist.distributor.admin;

import io.logdist.distributor.Distributor;
import io.logdist.distributor.loop.LoopNotAnswering;
import io.logdist.distributor.metrics.DistributorMetrics;
import io.logdist.distributor.metrics.ShareDeviations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Maps each admin request to its handler; unknown paths get 404, known paths with another
 * method 405 (with {@code Allow}). Every error is JSON {@code {"error", "detail"}}; an
 * unexpected exception is a 500 with one log line, never a stack trace to the client.
 *
 * <p>Thread: the admin thread only (it owns the {@link TrafficHistory}).
 */
final class AdminRouter {
    private static final Logger LOG = LoggerFactory.getLogger(AdminRouter.class);
    private static final String DASHBOARD = "/admin/index.html";

    private final Distributor distributor;
    private final TrafficHistory history = new TrafficHistory();
    private final AnalyzersResource analyzers;
    private final StatusResource status;
    private final DistributorMetrics metrics;
    private final byte[] dashboard;

    AdminRouter(Distributor distributor) {
        this.distributor = distributor;
        this.analyzers = new AnalyzersResource(distributor, history);
        this.status = new StatusResource(distributor, history);
        this.metrics = new DistributorMetrics(distributor, views -> {
            Map<String, Shares.Row> rows = Shares.of(views, history);
            return new ShareDeviations(Shares.maxRecentDeviation(rows), Shares.maxDeviationSinceStart(rows));
        });
        this.dashboard = resource(DASHBOARD);
    }

    private static byte[] resource(String name) {
        try (InputStream in = AdminRouter.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Takes the once-a-second sample the rates and recent shares come from. */
    void sample() {
        List<TrafficHistory.AnalyzerSample> a = distributor.analyzers().stream()
            .filter(AnalyzerView::present)
            .map(v -> new TrafficHistory.AnalyzerSample(v.name(), v.messagesDelivered()))
            .toList();
        List<TrafficHistory.EmitterSample> e = distributor.emitters().stream()
            .map(v -> new TrafficHistory.EmitterSample(StatusResource.key(v), v.packetsIn()))
            .toList();
        history.record(System.nanoTime(), distributor.ingestStats().messagesIn.sum(), a, e);
    }

    AdminResponse handle(AdminRequest req) {
        try {
            return route(req);
        } catch (LoopNotAnswering e) {
            return Json.error(503, "busy", e.getMessage() + "; a change asked for may have been made: GET /api/analyzers shows what holds");
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("path", req.path()).log("admin: {} {} failed: {}", req.method(), req.path(), e.toString());
            return Json.error(500, "internal error", e.toString());
        }
    }

    private AdminResponse route(AdminRequest req) {
        List<String> s = req.segments();
        String m = req.method();
        if (s.isEmpty() || s.equals(List.of("index.html"))) {
            return only(m, "GET", () -> AdminResponse.of(200, "text/html; charset=utf-8", dashboard));
        }
        if (s.size() == 1) {
            switch (s.get(0)) {
                case "health":
                    return only(m, "GET", status::health);
                case "ready":
                    return only(m, "GET", status::ready);
                case "metrics":
                    return only(m, "GET", () -> AdminResponse.of(200, metrics.contentType(), metrics.scrape()));
                default:
                    return notFound(req);
            }
        }
        if (!s.get(0).equals("api")) {
            return notFound(req);
        }
        if (s.size() == 2) {
            switch (s.get(1)) {
                case "status":
                    return only(m, "GET", status::status);
                case "emitters":
                    return only(m, "GET", status::emitters);
                case "rates":
                    return only(m, "GET", status::rates);
                case "analyzers":
                    if (m.equals("GET")) {
                        return analyzers.list();
                    }
                    return m.equals("POST") ? analyzers.add(req) : notAllowed(m, "GET, POST");
                default:
                    return notFound(req);
            }
        }
        if (!s.get(1).equals("analyzers")) {
            return notFound(req);
        }
        String name = s.get(2);
        if (s.size() == 3) {
            switch (m) {
                case "GET":
                    return analyzers.get(name);
                case "PUT":
                    return analyzers.setWeight(name, req);
                case "DELETE":
                    return analyzers.remove(name, req);
                default:
                    return notAllowed(m, "GET, PUT, DELETE");
            }
        }
        if (s.size() == 4 && s.get(3).equals("drain")) {
            return m.equals("POST") ? analyzers.drain(name, req) : notAllowed(m, "POST");
        }
        return notFound(req);
    }

    private static AdminResponse only(String method, String allowed, Supplier<AdminResponse> h) {
        return method.equals(allowed) ? h.get() : notAllowed(method, allowed);
    }

    private static AdminResponse notAllowed(String method, String allow) {
        return Json.error(405, "method not allowed", method + " is not allowed here; use " + allow).withHeader("Allow", allow);
    }

    private static AdminResponse notFound(AdminRequest req) {
        return Json.error(404, "not found", "no endpoint at " + req.path()
            + "; see /api/analyzers, /api/emitters, /api/status, /api/rates, /health, /ready, /metrics, /");
    }
}
