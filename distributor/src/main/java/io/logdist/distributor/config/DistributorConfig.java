package io.logdist.distributor.config;

import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.Frames;
import io.netty.buffer.ByteBufUtil;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.logdist.protocol.cli.InvalidSettingException.check;

/**
 * Everything the distributor is configured with, validated once here. Built from the
 * command line or a YAML file ({@link ConfigFile}) through {@link Builder}; immutable.
 *
 * @param listen             where emitters connect
 * @param admin              the admin HTTP endpoint, or null for none
 * @param analyzers          the analyzers and their weights
 * @param name               server name sent in WELCOME and HELLO
 * @param threads            event loops for connections; 0 = one per core
 * @param analyzerConnections connections to each analyzer, on the first that many event loops;
 *                           0 = one per event loop (packets then never change thread). Fewer
 *                           make packets read on the other loops cross to those loops
 * @param maxEmitterWindow   the largest window granted to an emitter (packets)
 * @param linkWindow         the window asked of each analyzer (DELIVERs)
 * @param maxFrameLength     largest frame {@code length} accepted from emitters (announced in WELCOME)
 * @param parkedBytesLimit   per event loop, bytes of packets that may wait for an analyzer
 *                           before new packets are refused (NO_ANALYZERS / OVERLOADED)
 * @param helloTimeout       how long a new connection has to send HELLO
 * @param reconnectBase      first reconnect delay after a link fails
 * @param reconnectMax       cap on the reconnect delay
 * @param linkTimeout        no ACK for this long with DELIVERs outstanding (or no PONG) = link down
 * @param maxRetries         reroutes a packet may take before it goes to the dead-letter file
 * @param deadLetterDir      where packets rerouted too often go; null = keep rerouting them
 * @param slowStart          ramp of a returning analyzer's weight; zero = none
 * @param queueBytes         per analyzer, bytes queued before the overflow policy applies
 * @param overflow           what to do when an analyzer's queue is full
 * @param drainTimeout       on SIGTERM, how long to keep delivering what is held
 * @param emitterExpiry      how long the distributor remembers an emitter (its settled cursor,
 *                           for WELCOME's ackedThrough and duplicate detection) after its last
 *                           connection closed and its last packet was settled; zero = for ever
 */
public record DistributorConfig(
    HostPort listen,
    HostPort admin,
    List<AnalyzerSpec> analyzers,
    String name,
    int threads,
    int analyzerConnections,
    int maxEmitterWindow,
    int linkWindow,
    int maxFrameLength,
    long parkedBytesLimit,
    Duration helloTimeout,
    Duration reconnectBase,
    Duration reconnectMax,
    Duration linkTimeout,
    int maxRetries,
    Path deadLetterDir,
    Duration slowStart,
    long queueBytes,
    OverflowPolicy overflow,
    Duration drainTimeout,
    Duration emitterExpiry) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 7000);
    public static final int DEFAULT_MAX_EMITTER_WINDOW = 1024;
    public static final int DEFAULT_LINK_WINDOW = 1024;
    /**
     * The largest PACKET frame taken from emitters by default: 1 MiB less the 8 bytes of
     * deliveryId that its DELIVER adds, so the DELIVER of any packet taken fits an analyzer
     * that accepts the specification's default 1 MiB.
     */
    public static final int DEFAULT_MAX_FRAME_LENGTH = FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH - Frames.DELIVER_ID_LENGTH;
    public static final long DEFAULT_PARKED_BYTES_LIMIT = 128L << 20;
    public static final Duration DEFAULT_HELLO_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RECONNECT_BASE = Duration.ofMillis(50);
    public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(10);
    public static final Duration DEFAULT_LINK_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_MAX_RETRIES = 5;
    public static final Duration DEFAULT_SLOW_START = Duration.ofSeconds(10);
    public static final long DEFAULT_QUEUE_BYTES = 64L << 20;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);
    /** Far longer than any reconnect backoff, so only emitters that are gone are forgotten. */
    public static final Duration DEFAULT_EMITTER_EXPIRY = Duration.ofMinutes(10);

    public DistributorConfig {
        analyzers = List.copyOf(analyzers);
        if (listen == null) {
            throw new IllegalArgumentException("listen address is missing (--listen HOST:PORT)");
        }
        Set<String> names = new HashSet<>();
        for (AnalyzerSpec a : analyzers) {
            if (!names.add(a.name())) {
                throw new IllegalArgumentException("analyzer name '" + a.name() + "' is used twice");
            }
        }
        if (name == null || name.isBlank()) {
            name = "logdist";
        }
        if (overflow == null) {
            overflow = OverflowPolicy.BLOCK;
        }
        // Named by their config-file keys; the command line says the same in its flags' names.
        // Sent as a str in every WELCOME and HELLO: one that cannot fit would fail each handshake.
        check(ByteBufUtil.utf8Bytes(name) <= Frames.MAX_STR_BYTES, "name", name.length() + " chars",
            "must be at most " + Frames.MAX_STR_BYTES + " bytes of UTF-8");
        check(threads >= 0, "threads", threads, "must be 0 (one per core) or more");
        check(analyzerConnections >= 0, "analyzerConnections", analyzerConnections, "must be 0 (one per event loop) or more");
        check(threads == 0 || analyzerConnections <= threads, "analyzerConnections", analyzerConnections,
            "must be at most the event loops (threads=" + threads + ")");
        check(maxEmitterWindow >= 1 && maxEmitterWindow <= 65_536, "emitterWindow", maxEmitterWindow, "must be 1..65536");
        check(linkWindow >= 1 && linkWindow <= 65_536, "linkWindow", linkWindow, "must be 1..65536");
        check(maxFrameLength >= 64 && maxFrameLength <= (64 << 20), "maxFrameLength", maxFrameLength, "must be 64..67108864");
        check(parkedBytesLimit >= 0, "parkedBytes", parkedBytesLimit, "must not be negative");
        check(positive(helloTimeout), "helloTimeout", millis(helloTimeout), "must be positive");
        check(positive(reconnectBase), "reconnectBase", millis(reconnectBase), "must be positive");
        check(reconnectMax.compareTo(reconnectBase) >= 0, "reconnectMax", millis(reconnectMax),
            "must be at least reconnectBase (" + millis(reconnectBase) + ")");
        check(linkTimeout.toMillis() >= 50, "linkTimeout", millis(linkTimeout), "must be at least 50ms");
        check(maxRetries >= 0, "maxRetries", maxRetries, "must not be negative");
        check(!slowStart.isNegative(), "slowStart", millis(slowStart), "must not be negative");
        check(queueBytes >= 1024, "queueBytes", queueBytes, "must be at least 1024");
        check(!drainTimeout.isNegative(), "drainTimeout", millis(drainTimeout), "must not be negative");
        check(emitterExpiry != null && !emitterExpiry.isNegative(), "emitterExpiry", millis(emitterExpiry), "must not be negative");
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    private static String millis(Duration d) {
        return d == null ? "none" : d.toMillis() + "ms";
    }

    /** A configuration with every default, listening on {@code listen}, feeding {@code analyzers}. */
    public static DistributorConfig of(HostPort listen, List<AnalyzerSpec> analyzers) {
        return builder().listen(listen).analyzers(analyzers).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to change a few. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.listen = listen;
        b.admin = admin;
        b.analyzers = analyzers;
        b.name = name;
        b.threads = threads;
        b.analyzerConnections = analyzerConnections;
        b.maxEmitterWindow = maxEmitterWindow;
        b.linkWindow = linkWindow;
        b.maxFrameLength = maxFrameLength;
        b.parkedBytesLimit = parkedBytesLimit;
        b.helloTimeout = helloTimeout;
        b.reconnectBase = reconnectBase;
        b.reconnectMax = reconnectMax;
        b.linkTimeout = linkTimeout;
        b.maxRetries = maxRetries;
        b.deadLetterDir = deadLetterDir;
        b.slowStart = slowStart;
        b.queueBytes = queueBytes;
        b.overflow = overflow;
        b.drainTimeout = drainTimeout;
        b.emitterExpiry = emitterExpiry;
        return b;
    }

    public DistributorConfig withThreads(int n) {
        return toBuilder().threads(n).build();
    }

    /** Fills in a {@link DistributorConfig}; every field starts at its default. */
    public static final class Builder {
        private HostPort listen = DEFAULT_LISTEN;
        private HostPort admin;
        private List<AnalyzerSpec> analyzers = List.of();
        private String name = "logdist";
        private int threads;
        private int analyzerConnections;
        private int maxEmitterWindow = DEFAULT_MAX_EMITTER_WINDOW;
        private int linkWindow = DEFAULT_LINK_WINDOW;
        private int maxFrameLength = DEFAULT_MAX_FRAME_LENGTH;
        private long parkedBytesLimit = DEFAULT_PARKED_BYTES_LIMIT;
        private Duration helloTimeout = DEFAULT_HELLO_TIMEOUT;
        private Duration reconnectBase = DEFAULT_RECONNECT_BASE;
        private Duration reconnectMax = DEFAULT_RECONNECT_MAX;
        private Duration linkTimeout = DEFAULT_LINK_TIMEOUT;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Path deadLetterDir;
        private Duration slowStart = DEFAULT_SLOW_START;
        private long queueBytes = DEFAULT_QUEUE_BYTES;
        private OverflowPolicy overflow = OverflowPolicy.BLOCK;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration emitterExpiry = DEFAULT_EMITTER_EXPIRY;

        public Builder listen(HostPort v) { listen = v; return this; }
        public Builder admin(HostPort v) { admin = v; return this; }
        public Builder analyzers(List<AnalyzerSpec> v) { analyzers = v; return this; }
        public Builder name(String v) { name = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder analyzerConnections(int v) { analyzerConnections = v; return this; }
        public Builder maxEmitterWindow(int v) { maxEmitterWindow = v; return this; }
        public Builder linkWindow(int v) { linkWindow = v; return this; }
        public Builder maxFrameLength(int v) { maxFrameLength = v; return this; }
        public Builder parkedBytesLimit(long v) { parkedBytesLimit = v; return this; }
        public Builder helloTimeout(Duration v) { helloTimeout = v; return this; }
        public Builder reconnectBase(Duration v) { reconnectBase = v; return this; }
        public Builder reconnectMax(Duration v) { reconnectMax = v; return this; }
        public Builder linkTimeout(Duration v) { linkTimeout = v; return this; }
        public Builder maxRetries(int v) { maxRetries = v; return this; }
        public Builder deadLetterDir(Path v) { deadLetterDir = v; return this; }
        public Builder slowStart(Duration v) { slowStart = v; return this; }
        public Builder queueBytes(long v) { queueBytes = v; return this; }
        public Builder overflow(OverflowPolicy v) { overflow = v; return this; }
        public Builder drainTimeout(Duration v) { drainTimeout = v; return this; }
        public Builder emitterExpiry(Duration v) { emitterExpiry = v; return this; }

        public DistributorConfig build() {
            return new DistributorConfig(listen, admin, analyzers, name, threads, analyzerConnections, maxEmitterWindow, linkWindow, maxFrameLength,
                parkedBytesLimit, helloTimeout, reconnectBase, reconnectMax, linkTimeout, maxRetries, deadLetterDir, slowStart,
                queueBytes, overflow, drainTimeout, emitterExpiry);
        }
    }
}
