package io.logdist.distributor.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.logdist.distributor.Distributor;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.protocol.cli.HostPort;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * {@code /api/analyzers}: list, add, reweight, drain and remove analyzers.
 *
 * <pre>
 * GET    /api/analyzers               every analyzer with its state, counters and shares
 * GET    /api/analyzers/{name}        one analyzer
 * POST   /api/analyzers               add: {"name": "a5", "address": "127.0.0.1:7105", "weight": 0.1}   201
 * PUT    /api/analyzers/{name}        reweight: {"weight": 0.25}                                       200
 * POST   /api/analyzers/{name}/drain  take no new packets, finish what it holds, then stay idle      200
 * DELETE /api/analyzers/{name}        drain, then remove                                             202
 * </pre>
 *
 * A request is validated completely before anything changes; a refused one changes
 * nothing (400 bad input, 404 unknown analyzer, 409 name taken).
 *
 * <p>Thread: the admin thread.
 */
final class AnalyzersResource {
    private static final Set<String> ADD_FIELDS = Set.of("name", "address", "weight");
    private static final Set<String> WEIGHT_FIELDS = Set.of("weight");

    private final Distributor distributor;
    private final TrafficHistory history;

    AnalyzersResource(Distributor distributor, TrafficHistory history) {
        this.distributor = distributor;
        this.history = history;
    }

    AdminResponse list() {
        List<AnalyzerView> views = distributor.analyzers();
        Map<String, Shares.Row> shares = Shares.of(views, history);
        List<Map<String, Object>> out = new ArrayList<>();
        for (AnalyzerView v : views) {
            out.add(json(v, shares.get(v.name())));
        }
        return Json.ok(out);
    }

    AdminResponse get(String name) {
        List<AnalyzerView> views = distributor.analyzers();
        for (AnalyzerView v : views) {
            if (v.name().equals(name)) {
                return Json.ok(json(v, Shares.of(views, history).get(name)));
            }
        }
        return unknown(name);
    }

    AdminResponse add(AdminRequest req) {
        AnalyzerSpec spec;
        try {
            JsonNode body = Json.object(req.body());
            checkFields(body, ADD_FIELDS);
            String name = requiredText(body, "name");
            String address = requiredText(body, "address");
            double weight = weight(body);
            spec = new AnalyzerSpec(name, HostPort.parse(address), weight);
        } catch (Json.BadRequest | IllegalArgumentException e) {
            return Json.badRequest(e.getMessage());
        }
        AnalyzerView view;
        try {
            view = distributor.addAnalyzer(spec, by(req));
        } catch (IllegalStateException e) {
            return Json.error(409, "name taken", e.getMessage());
        } catch (IllegalArgumentException e) {
            return Json.badRequest(e.getMessage());
        }
        return Json.response(201, json(view, null)).withHeader("Location", "/api/analyzers/" + spec.name());
    }

    AdminResponse setWeight(String name, AdminRequest req) {
        double weight;
        try {
            JsonNode body = Json.object(req.body());
            checkFields(body, WEIGHT_FIELDS);
            weight = weight(body);
        } catch (Json.BadRequest e) {
            return Json.badRequest(e.getMessage());
        }
        AnalyzerView view;
        try {
            view = distributor.setWeight(name, weight, by(req));
        } catch (NoSuchElementException e) {
            return unknown(name);
        } catch (IllegalArgumentException e) {
            return Json.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            return Json.error(409, "conflict", e.getMessage());
        }
        return Json.ok(json(view, null));
    }

    AdminResponse drain(String name, AdminRequest req) {
        AnalyzerView view;
        try {
            view = distributor.drainAnalyzer(name, by(req));
        } catch (NoSuchElementException e) {
            return unknown(name);
        } catch (IllegalStateException e) {
            return Json.error(409, "conflict", e.getMessage());
        }
        return Json.ok(json(view, null));
    }

    AdminResponse remove(String name, AdminRequest req) {
        try {
            distributor.removeAnalyzer(name, by(req));
        } catch (NoSuchElementException e) {
            return unknown(name);
        } catch (IllegalStateException e) {
            return Json.error(409, "conflict", e.getMessage());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("status", "removing");
        m.put("detail", "the analyzer takes no new packets; it is removed once what it holds is delivered");
        return Json.response(202, m);
    }

    /** Who asked, for the distributor's log of the change (the only log of it). */
    private static String by(AdminRequest req) {
        return "admin API request from " + req.remote();
    }

    static AdminResponse unknown(String name) {
        return Json.error(404, "unknown analyzer", "no analyzer is named '" + name + "'");
    }

    /** The JSON of one analyzer; {@code shares} may be null (just added, or removed). */
    static Map<String, Object> json(AnalyzerView v, Shares.Row shares) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.name());
        m.put("address", v.address());
        m.put("weight", v.weight());
        m.put("effectiveWeight", v.effectiveWeight());
        m.put("state", v.state());
        m.put("circuit", v.circuit());
        m.put("queuedPackets", v.queuedPackets());
        m.put("queuedBytes", v.queuedBytes());
        m.put("unacked", v.unacked());
        m.put("packetsDelivered", v.packetsDelivered());
        m.put("messagesDelivered", v.messagesDelivered());
        m.put("bytesDelivered", v.bytesDelivered());
        m.put("reroutes", v.reroutes());
        m.put("connects", v.connects());
        m.put("connectionsUp", v.connectionsUp());
        m.put("connections", v.connections());
        m.put("messagesPerSecond", shares == null ? 0.0 : shares.messagesPerSecond());
        m.put("weightShare", shares == null ? null : shares.weightShare());
        m.put("expectedShare", shares == null ? null : shares.expectedShare());
        Map<String, Object> share = new LinkedHashMap<>();
        share.put("sinceStart", shares == null ? null : shares.sinceStart());
        share.put("last10s", shares == null ? null : shares.last10s());
        m.put("share", share);
        return m;
    }

    private static void checkFields(JsonNode body, Set<String> allowed) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new Json.BadRequest("unknown field '" + f + "'; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private static String requiredText(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            throw new Json.BadRequest("field '" + field + "' is required");
        }
        if (!n.isTextual()) {
            throw new Json.BadRequest("field '" + field + "' must be a string");
        }
        return n.asText();
    }

    private static double weight(JsonNode body) {
        JsonNode n = body.get("weight");
        if (n == null || n.isNull()) {
            throw new Json.BadRequest("field 'weight' is required");
        }
        if (!n.isNumber()) {
            throw new Json.BadRequest("field 'weight' must be a number, e.g. 0.25");
        }
        try {
            // Named as the client wrote it: {"weight": 0} is refused as weight=0.
            return AnalyzerSpec.checkWeight(n.asDouble(), n.asText());
        } catch (IllegalArgumentException e) {
            throw new Json.BadRequest(e.getMessage());
        }
    }
}
