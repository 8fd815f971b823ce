package io.logdist.distributor;

import java.util.List;
import java.util.Locale;

/**
 * Formats the periodic status line of the distributor CLI: rate in, and per analyzer its
 * state and share of messages delivered since start.
 *
 * <p>Not thread-safe: used by the CLI's main thread.
 */
final class StatusLine {
    private final Distributor distributor;
    private long lastMessages;
    private long lastNanos = System.nanoTime();

    StatusLine(Distributor distributor) {
        this.distributor = distributor;
    }

    String next() {
        long now = System.nanoTime();
        long messages = distributor.ingestStats().messagesIn.sum();
        double rate = (messages - lastMessages) * 1e9 / Math.max(1, now - lastNanos);
        lastMessages = messages;
        lastNanos = now;
        List<Distributor.LinkStatus> links = distributor.links();
        long total = links.stream().mapToLong(Distributor.LinkStatus::messagesDelivered).sum();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "distributor: %d emitters, in %.0f msg/s, delivered %d msgs;",
            distributor.ingestStats().connections.get(), rate, total));
        for (Distributor.LinkStatus l : links) {
            String state = l.allConnectionsUp() ? "up" : l.up() ? "up (" + l.connectionsUp() + " of " + l.connections() + " connections)" : "DOWN";
            sb.append(String.format(Locale.ROOT, " %s %s %.1f%%", l.name(), state,
                total == 0 ? 0.0 : 100.0 * l.messagesDelivered() / total));
        }
        return sb.toString();
    }
}
