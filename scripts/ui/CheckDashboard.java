// Used by scripts/test-ui.sh, run as a single-file program with the distributor's
// libraries on the class path (Jackson):
//   java -cp 'distributor/target/lib/*' scripts/ui/CheckDashboard.java ready ADMIN_URL
//   java -cp 'distributor/target/lib/*' scripts/ui/CheckDashboard.java compare ADMIN_URL DOM_FILE
// "ready" waits (up to 30 s) until GET /ready answers 200. "compare" reads the dashboard's
// DOM as headless Chromium rendered it and checks every number it shows against the JSON
// API; it prints one line per mismatch and "N passed, M failed", exit 1 on any failure.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class CheckDashboard {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> failures = new ArrayList<>();
    private static int passed;

    public static void main(String[] args) throws Exception {
        String base = args[1].replaceAll("/$", "");
        if (args[0].equals("ready")) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    if (get(base + "/ready").statusCode() == 200) {
                        return;
                    }
                } catch (java.io.IOException e) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
            System.err.println("test-ui: " + base + "/ready did not answer 200 within 30 s");
            System.exit(1);
        }
        String dom = Files.readString(Path.of(args[2]));
        JsonNode analyzers = JSON.readTree(get(base + "/api/analyzers").body());
        JsonNode status = JSON.readTree(get(base + "/api/status").body());

        check("messages in", value(dom, "id=\"messages-in\""), status.get("messagesIn").asText());
        check("emitter connections", value(dom, "id=\"emitters\""), status.get("emitterConnections").asText());
        check("readiness", value(dom, "id=\"ready\""), "ready");
        String refreshes = value(dom, "id=\"refreshes\"");
        if (refreshes == null || Integer.parseInt(refreshes) < 2) {
            failures.add("the page refreshed " + refreshes + " times, expected at least 2 (once a second)");
        } else {
            passed++;
        }
        int rows = count(dom, "<tr id=\"analyzer-");
        check("analyzer rows", String.valueOf(rows), String.valueOf(analyzers.size()));
        for (JsonNode a : analyzers) {
            String name = a.get("name").asText();
            String row = row(dom, name);
            if (row == null) {
                failures.add("no row for analyzer " + name);
                continue;
            }
            check(name + " state", value(row, "data-field=\"state\""), a.get("state").asText());
            check(name + " circuit", value(row, "data-field=\"circuit\""), a.get("circuit").asText());
            checkNumber(name + " weight", value(row, "data-field=\"weight\""), a.get("weight").asDouble());
            checkNumber(name + " weight share", value(row, "data-field=\"weightShare\""), a.get("weightShare").asDouble());
            check(name + " messages delivered", value(row, "data-field=\"messagesDelivered\""), a.get("messagesDelivered").asText());
            check(name + " queued packets", value(row, "data-field=\"queuedPackets\""), a.get("queuedPackets").asText());
            check(name + " unacked", value(row, "data-field=\"unacked\""), a.get("unacked").asText());
            check(name + " name shown", textOf(row, "data-field=\"name\""), name);
            if (!row.contains("<polyline")) {
                failures.add(name + ": no message-rate chart");
            } else {
                passed++;
            }
        }
        for (String f : failures) {
            System.out.println("test-ui: FAIL " + f);
        }
        System.out.println("test-ui: " + passed + " passed, " + failures.size() + " failed");
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The data-value of the first element whose start tag contains {@code marker}. */
    private static String value(String html, String marker) {
        Matcher m = Pattern.compile("<[a-z]+ [^>]*" + Pattern.quote(marker) + "[^>]*>").matcher(html);
        if (!m.find()) {
            return null;
        }
        Matcher v = Pattern.compile("data-value=\"([^\"]*)\"").matcher(m.group());
        return v.find() ? v.group(1) : null;
    }

    private static String textOf(String html, String marker) {
        Matcher m = Pattern.compile("<[a-z]+ [^>]*" + Pattern.quote(marker) + "[^>]*>([^<]*)<").matcher(html);
        return m.find() ? m.group(1) : null;
    }

    private static String row(String html, String name) {
        Matcher m = Pattern.compile("<tr id=\"analyzer-" + Pattern.quote(name) + "\".*?</tr>", Pattern.DOTALL).matcher(html);
        return m.find() ? m.group() : null;
    }

    private static int count(String html, String s) {
        int n = 0;
        for (int i = html.indexOf(s); i >= 0; i = html.indexOf(s, i + 1)) {
            n++;
        }
        return n;
    }

    private static void check(String what, String shown, String expected) {
        if (expected.equals(shown)) {
            passed++;
        } else {
            failures.add(what + ": page shows " + shown + ", API says " + expected);
        }
    }

    private static void checkNumber(String what, String shown, double expected) {
        try {
            if (shown != null && Math.abs(Double.parseDouble(shown) - expected) < 1e-9) {
                passed++;
                return;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        failures.add(what + ": page shows " + shown + ", API says " + expected);
    }
}
