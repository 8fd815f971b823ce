package io.logdist.analyzer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes the analyzer's JSON report. The file is replaced atomically (written beside it
 * under a temporary name, then renamed over it), so a reader never sees half a report.
 *
 * <pre>
 * { "name": "a1", "packets": 12, "messages": 384, "bytes": 49152, "duplicates": 0,
 *   "bad_packets": 0, "emitters": { "7": { "packets": 12, "messages": 384 } },
 *   "priorities": { "0": 384 }, "uptime_s": 1.002, "messages_per_s": 383.2 }
 * </pre>
 *
 * {@code messages_per_s} is the average over the uptime. Emitter ids are unsigned decimal.
 *
 * <p>Stateless apart from its path; called by the reporting thread, then once at close.
 */
final class ReportFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Path temporary;

    ReportFile(Path file) {
        this.file = file;
        this.temporary = file.resolveSibling(file.getFileName() + ".tmp");
    }

    Path file() {
        return file;
    }

    void write(AnalyzerSnapshot s, double uptimeSeconds) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", s.name());
        root.put("packets", s.packets());
        root.put("messages", s.messages());
        root.put("bytes", s.bytes());
        root.put("duplicates", s.duplicates());
        root.put("bad_packets", s.badPackets());
        ObjectNode emitters = root.putObject("emitters");
        for (Map.Entry<Long, AnalyzerSnapshot.EmitterCounts> e : s.emitters().entrySet()) {
            ObjectNode emitter = emitters.putObject(Long.toUnsignedString(e.getKey()));
            emitter.put("packets", e.getValue().packets());
            emitter.put("messages", e.getValue().messages());
        }
        ObjectNode priorities = root.putObject("priorities");
        for (Map.Entry<Integer, Long> e : s.messagesByPriority().entrySet()) {
            priorities.put(Integer.toString(e.getKey()), e.getValue());
        }
        root.put("uptime_s", round3(uptimeSeconds));
        root.put("messages_per_s", uptimeSeconds > 0 ? round3(s.messages() / uptimeSeconds) : 0.0);
        try (OutputStream out = Files.newOutputStream(temporary)) {
            JSON.writerWithDefaultPrettyPrinter().writeValue(out, root);
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static double round3(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
