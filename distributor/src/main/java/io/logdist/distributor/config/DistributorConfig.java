package io.logdist.distributor.config;

import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.FrameDescriptor;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the distributor is configured with, validated once here. Built from the
 * command line or a YAML file ({@link ConfigFile}); immutable.
 *
 * @param listen             where emitters connect
 * @param admin              the admin HTTP endpoint, or null for none
 * @param analyzers          the analyzers and their weights
 * @param name               server name sent in WELCOME and HELLO
 * @param threads            event loops for connections; 0 = one per core
 * @param maxEmitterWindow   the largest window granted to an emitter (packets)
 * @param linkWindow         the window asked of each analyzer (DELIVERs)
 * @param maxFrameLength     largest frame {@code length} accepted from emitters
 * @param parkedBytesLimit   per event loop, bytes of packets that may wait for an analyzer
 *                           before new packets are refused (NO_ANALYZERS / OVERLOADED)
 * @param helloTimeout       how long a new connection has to send HELLO
 * @param reconnectBase      first reconnect delay after a link fails
 * @param reconnectMax       cap on the reconnect delay
 */
public record DistributorConfig(
    HostPort listen,
    HostPort admin,
    List<AnalyzerSpec> analyzers,
    String name,
    int threads,
    int maxEmitterWindow,
    int linkWindow,
    int maxFrameLength,
    long parkedBytesLimit,
    Duration helloTimeout,
    Duration reconnectBase,
    Duration reconnectMax) {

    public static final int DEFAULT_MAX_EMITTER_WINDOW = 1024;
    public static final int DEFAULT_LINK_WINDOW = 1024;
    public static final long DEFAULT_PARKED_BYTES_LIMIT = 128L << 20;
    public static final Duration DEFAULT_HELLO_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RECONNECT_BASE = Duration.ofMillis(50);
    public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(10);

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
        require(threads >= 0, "threads=" + threads + " must be 0 (one per core) or more");
        require(maxEmitterWindow >= 1 && maxEmitterWindow <= 65_536, "maxEmitterWindow=" + maxEmitterWindow + " must be 1..65536");
        require(linkWindow >= 1 && linkWindow <= 65_536, "linkWindow=" + linkWindow + " must be 1..65536");
        require(maxFrameLength >= 64 && maxFrameLength <= (64 << 20), "maxFrameLength=" + maxFrameLength + " must be 64..67108864");
        require(parkedBytesLimit >= 0, "parkedBytesLimit=" + parkedBytesLimit + " must not be negative");
        require(!helloTimeout.isNegative() && !helloTimeout.isZero(), "helloTimeout must be positive");
        require(!reconnectBase.isNegative() && !reconnectBase.isZero(), "reconnectBase must be positive");
        require(reconnectMax.compareTo(reconnectBase) >= 0, "reconnectMax must be at least reconnectBase");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** A configuration with every default, listening on {@code listen}, feeding {@code analyzers}. */
    public static DistributorConfig of(HostPort listen, List<AnalyzerSpec> analyzers) {
        return new DistributorConfig(listen, null, analyzers, "logdist", 0, DEFAULT_MAX_EMITTER_WINDOW, DEFAULT_LINK_WINDOW,
            FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH, DEFAULT_PARKED_BYTES_LIMIT, DEFAULT_HELLO_TIMEOUT,
            DEFAULT_RECONNECT_BASE, DEFAULT_RECONNECT_MAX);
    }

    public DistributorConfig withThreads(int n) {
        return new DistributorConfig(listen, admin, analyzers, name, n, maxEmitterWindow, linkWindow, maxFrameLength,
            parkedBytesLimit, helloTimeout, reconnectBase, reconnectMax);
    }

    public DistributorConfig withParkedBytesLimit(long n) {
        return new DistributorConfig(listen, admin, analyzers, name, threads, maxEmitterWindow, linkWindow, maxFrameLength,
            n, helloTimeout, reconnectBase, reconnectMax);
    }

    public DistributorConfig withMaxFrameLength(int n) {
        return new DistributorConfig(listen, admin, analyzers, name, threads, maxEmitterWindow, linkWindow, n,
            parkedBytesLimit, helloTimeout, reconnectBase, reconnectMax);
    }
}
