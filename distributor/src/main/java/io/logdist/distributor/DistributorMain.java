package io.logdist.distributor;

import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.config.ConfigFile;
import io.logdist.distributor.config.ConfigReloader;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.distributor.config.OverflowPolicy;
import io.logdist.distributor.logging.LogFormat;
import io.logdist.protocol.cli.CommandLines;
import io.logdist.protocol.cli.DurationConverter;
import io.logdist.protocol.cli.HostPort;
import io.netty.channel.unix.Errors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code logdist distributor}: starts a distributor from flags or a YAML file (flags win),
 * prints a status line every interval, reloads the file when it changes or on SIGHUP
 * ({@link ConfigReloader}), and stops on SIGTERM / Ctrl-C.
 */
@Command(name = "distributor", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Accepts LDP/1 packets from emitters and routes each whole packet to one of the weighted analyzers.",
    footer = {"", "Example:",
        "  logdist distributor --listen 127.0.0.1:7000 --admin 127.0.0.1:7080 \\",
        "    --analyzer a1=127.0.0.1:7101@0.4 --analyzer a2=127.0.0.1:7102@0.6"})
public final class DistributorMain implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML file with the same settings as the flags; flags given as well override it.")
    Path configFile;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Where emitters connect (default 127.0.0.1:7000).")
    HostPort listen;

    @Option(names = "--admin", paramLabel = "HOST:PORT",
        description = "Admin HTTP endpoint: JSON API under /api, /metrics (Prometheus), /health, /ready, and the dashboard at /.")
    HostPort admin;

    @Option(names = "--analyzer", paramLabel = "NAME=HOST:PORT@WEIGHT",
        description = "An analyzer to feed; repeat for each. Weights are relative, e.g. a1=127.0.0.1:7101@0.4.")
    List<String> analyzers = new ArrayList<>();

    @Option(names = "--name", description = "Name sent to peers (default logdist).")
    String name;

    @Option(names = "--threads", description = "Event loops for connections (default: one per core).")
    Integer threads;

    @Option(names = "--emitter-window", paramLabel = "PACKETS", description = "Largest window granted to an emitter (default 1024).")
    Integer emitterWindow;

    @Option(names = "--link-window", paramLabel = "DELIVERS", description = "Window asked of each analyzer (default 1024).")
    Integer linkWindow;

    @Option(names = "--max-frame-length", paramLabel = "BYTES", description = "Largest frame accepted from emitters (default 1048576).")
    Integer maxFrameLength;

    @Option(names = "--parked-bytes", paramLabel = "BYTES",
        description = "Per event loop, bytes that may wait for an analyzer before new packets are refused (default 134217728).")
    Long parkedBytes;

    @Option(names = "--reconnect-base", paramLabel = "DURATION", description = "First reconnect delay to an analyzer (default 50ms).")
    Duration reconnectBase;

    @Option(names = "--reconnect-max", paramLabel = "DURATION", description = "Longest reconnect delay (default 10s).")
    Duration reconnectMax;

    @Option(names = "--link-timeout", paramLabel = "DURATION",
        description = "A link with DELIVERs unacknowledged and no ACK (or a PING unanswered) this long is down (default 2s).")
    Duration linkTimeout;

    @Option(names = "--max-retries", paramLabel = "N", description = "Reroutes a packet may take before it goes to the dead-letter file (default 5).")
    Integer maxRetries;

    @Option(names = "--dead-letter", paramLabel = "DIR",
        description = "Directory for packets rerouted more than --max-retries times (append-only, CRC-checked); without it they keep being rerouted.")
    Path deadLetter;

    @Option(names = "--slow-start", paramLabel = "DURATION", description = "Ramp of a returning analyzer's weight from ~0 to full (default 10s; 0 = none).")
    Duration slowStart;

    @Option(names = "--queue-bytes", paramLabel = "BYTES", description = "Per analyzer, bytes queued before --overflow applies (default 67108864).")
    Long queueBytes;

    @Option(names = "--overflow", paramLabel = "POLICY",
        description = "When an analyzer's queue is full: block (slow emitters; default), reject (NACK OVERLOADED), shed:N (drop priorities above N, NACKed).")
    String overflow;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", description = "On SIGTERM, how long to keep delivering what is held (default 10s).")
    Duration drainTimeout;

    @Option(names = "--emitter-expiry", paramLabel = "DURATION",
        description = "Forget an emitter (its settled cursor) this long after its last connection closed and its packets settled (default 10m; 0 = never).")
    Duration emitterExpiry;

    @Option(names = "--status-interval", paramLabel = "DURATION", description = "How often to print a status line; 0 for never (default 5s).")
    Duration statusInterval;

    @Option(names = "--log-format", paramLabel = "FORMAT",
        description = "text (default: human-readable lines) or json (one JSON object per line, with analyzer, emitter and connection ids as fields).")
    String logFormat;

    public static void main(String[] args) {
        CommandLines.run(new DistributorMain(), args);
    }

    /** The configuration from the file (read now) and the flags; what a reload builds. */
    DistributorConfig buildConfig() {
        return buildConfig(configFile == null ? new ConfigFile.Model() : ConfigFile.read(configFile));
    }

    private DistributorConfig buildConfig(ConfigFile.Model m) {
        DistributorConfig.Builder b = ConfigFile.toBuilder(m, configFile == null ? Path.of("(flags)") : configFile);
        if (!analyzers.isEmpty()) {
            b.analyzers(analyzers.stream().map(AnalyzerSpec::parse).toList());
        }
        if (listen != null) {
            b.listen(listen);
        }
        if (admin != null) {
            b.admin(admin);
        }
        if (name != null) {
            b.name(name);
        }
        if (threads != null) {
            b.threads(threads);
        }
        if (emitterWindow != null) {
            b.maxEmitterWindow(emitterWindow);
        }
        if (linkWindow != null) {
            b.linkWindow(linkWindow);
        }
        if (maxFrameLength != null) {
            b.maxFrameLength(maxFrameLength);
        }
        if (parkedBytes != null) {
            b.parkedBytesLimit(parkedBytes);
        }
        if (reconnectBase != null) {
            b.reconnectBase(reconnectBase);
        }
        if (reconnectMax != null) {
            b.reconnectMax(reconnectMax);
        }
        if (linkTimeout != null) {
            b.linkTimeout(linkTimeout);
        }
        if (maxRetries != null) {
            b.maxRetries(maxRetries);
        }
        if (deadLetter != null) {
            b.deadLetterDir(deadLetter);
        }
        if (slowStart != null) {
            b.slowStart(slowStart);
        }
        if (queueBytes != null) {
            b.queueBytes(queueBytes);
        }
        if (overflow != null) {
            b.overflow(OverflowPolicy.parse(overflow));
        }
        if (drainTimeout != null) {
            b.drainTimeout(drainTimeout);
        }
        if (emitterExpiry != null) {
            b.emitterExpiry(emitterExpiry);
        }
        return b.build();
    }

    @Override
    public Integer call() throws Exception {
        ConfigFile.Model file = configFile == null ? new ConfigFile.Model() : ConfigFile.read(configFile);
        LogFormat format = LogFormat.parse(logFormat != null ? logFormat : file.logFormat != null ? file.logFormat : "text");
        if (format != LogFormat.TEXT) {
            format.apply();
        }
        Duration interval = statusInterval != null ? statusInterval
            : file.statusInterval != null ? DurationConverter.parse(file.statusInterval) : Duration.ofSeconds(5);
        DistributorConfig config = buildConfig(file);
        if (config.analyzers().isEmpty()) {
            throw new IllegalArgumentException("no analyzers: give at least one --analyzer NAME=HOST:PORT@WEIGHT (or analyzers: in --config)");
        }
        Distributor d;
        try {
            d = Distributor.start(config);
        } catch (Exception e) {
            if (e instanceof BindException || e instanceof Errors.NativeIoException) {
                System.err.println("error: cannot listen on " + config.listen() + (config.admin() == null ? "" : " / " + config.admin()) + ": " + e.getMessage());
                return 1;
            }
            throw e;
        }
        ConfigReloader reloader = configFile == null ? null
            : new ConfigReloader(d, configFile, this::buildConfig, analyzers.isEmpty(), Duration.ofSeconds(1));
        if (reloader != null) {
            reloader.start();
            if (!reloader.reloadOnHangup()) {
                LoggerFactory.getLogger(DistributorMain.class).info("this JVM cannot handle SIGHUP; {} is reloaded when it changes", configFile);
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (reloader != null) {
                reloader.close();
            }
            // SIGTERM / Ctrl-C: stop taking packets, deliver what is held, then exit 0.
            System.out.println("distributor: shutting down; delivering what is held for up to " + config.drainTimeout().toMillis() + " ms");
            Distributor.ShutdownReport r = d.shutdownGracefully(config.drainTimeout());
            if (r.undelivered() == 0 && r.deadLettered() == 0) {
                System.out.println("distributor: stopped; everything accepted was delivered");
            } else {
                System.out.println("distributor: stopped; " + r.deadLettered() + " packets undelivered went to "
                    + (r.deadLetterFile() == null ? "no dead-letter file" : r.deadLetterFile())
                    + (r.undelivered() > 0 ? ", " + r.undelivered() + " more were not ACKed (emitters send them again)" : ""));
            }
            System.out.flush();
            stopped.countDown();
            Runtime.getRuntime().halt(0);
        }, "shutdown"));
        StatusLine status = new StatusLine(d);
        long intervalMs = interval.toMillis();
        while (!stopped.await(intervalMs > 0 ? intervalMs : Long.MAX_VALUE / 4, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (format == LogFormat.JSON) {
                // One JSON object per line everywhere: the status line goes through the log.
                LoggerFactory.getLogger(StatusLine.class).info(status.next());
            } else {
                System.out.println(status.next());
            }
        }
        return 0;
    }
}
