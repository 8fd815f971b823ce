package io.logdist.analyzer.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Renders an {@link AuditResult}: the table people read, and the JSON scripts read.
 *
 * <pre>
 * analyzer  weight  weight share  expected   actual  messages
 * a1         4.000        40.00%    40.00%   40.03%   1234567
 * acked: 123456  lost: 0  duplicates: 12  dead-lettered: 0
 * max deviation from expected share: 0.21 points
 * </pre>
 *
 * <p>Stateless; any thread.
 */
final class AuditOutput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditOutput() {
    }

    static void printTable(AuditResult r, PrintWriter out) {
        int nameWidth = "analyzer".length();
        for (AuditResult.AnalyzerShare a : r.analyzers()) {
            nameWidth = Math.max(nameWidth, a.name().length());
        }
        String row = "%-" + nameWidth + "s  %8s  %12s  %8s  %8s  %12s%n";
        out.printf(Locale.ROOT, row, "analyzer", "weight", "weight share", "expected", "actual", "messages");
        for (AuditResult.AnalyzerShare a : r.analyzers()) {
            out.printf(Locale.ROOT, row, a.name(),
                String.format(Locale.ROOT, "%.3f", a.weight()),
                percent(a.weightShare()), percent(a.expectedShare()), percent(a.actualShare()),
                Long.toString(a.messages()));
        }
        for (AuditResult.Pair p : r.lostExamples()) {
            out.println("lost: " + p);
        }
        if (r.lost() > r.lostExamples().size()) {
            out.println("lost: ... and " + (r.lost() - r.lostExamples().size()) + " more");
        }
        out.printf(Locale.ROOT, "acked: %d  lost: %d  duplicates: %d  dead-lettered: %d%n", r.acked(), r.lost(),
            r.duplicates(), r.deadLettered());
        out.printf(Locale.ROOT, "records: %d  received: %d  received but not acked: %d  buckets: %d%n",
            r.records(), r.received(), r.receivedNotAcked(), r.buckets());
        out.printf(Locale.ROOT, "max deviation from expected share: %.2f points%n", r.maxDeviationPoints());
        out.flush();
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.2f%%", share * 100);
    }

    static void writeJson(AuditResult r, Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("acked", r.acked());
        root.put("lost", r.lost());
        root.put("duplicates", r.duplicates());
        root.put("records", r.records());
        root.put("received", r.received());
        root.put("received_not_acked", r.receivedNotAcked());
        root.put("dead_lettered", r.deadLettered());
        ArrayNode lost = root.putArray("lost_examples");
        for (AuditResult.Pair p : r.lostExamples()) {
            ObjectNode pair = lost.addObject();
            pair.put("emitter", Long.toUnsignedString(p.emitterId()));
            pair.put("sequence", p.sequence());
        }
        ArrayNode analyzers = root.putArray("analyzers");
        for (AuditResult.AnalyzerShare a : r.analyzers()) {
            ObjectNode node = analyzers.addObject();
            node.put("name", a.name());
            node.put("weight", a.weight());
            node.put("weight_share", a.weightShare());
            node.put("expected_share", a.expectedShare());
            node.put("actual_share", a.actualShare());
            node.put("messages", a.messages());
        }
        root.put("max_deviation_points", r.maxDeviationPoints());
        root.put("buckets", r.buckets());
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }
}
