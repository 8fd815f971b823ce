package io.logdist.distributor;

import io.logdist.distributor.config.ConfigFile;
import io.logdist.distributor.config.ConfigReloader;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.distributor.deadletter.DeadLetterSink;
import io.logdist.distributor.logging.LogFormat;
import io.logdist.protocol.cli.CommandLines;
import io.logdist.protocol.cli.DurationConverter;
import io.logdist.protocol.cli.InvalidSettingException;
import io.logdist.protocol.transport.ListenFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
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

    /** The other flags: the file's settings, in the file's model, so that one mapping serves both. */
    @Mixin
    ConfigFile.Model flags = new ConfigFile.Model();

    public static void main(String[] args) {
        CommandLines.run(new DistributorMain(), args);
    }

    /** Where the reloader's lines go: the lines about the program's own settings join them. */
    private static final Logger RELOAD_LOG = LoggerFactory.getLogger(ConfigReloader.class);

    @Spec
    CommandSpec spec;

    /** The program's own settings it started with: a reload says when the file changes them. */
    private volatile Settings startedWith;

    /** The configuration from the file (read now) and the flags; what a reload builds, refused as at startup. */
    DistributorConfig buildConfig() {
        Settings next = settings(readFile());
        Settings started = startedWith;
        // Not in DistributorConfig, so the reloader's own list of restart-only changes cannot name them.
        if (started != null && !next.logFormat().equals(started.logFormat())) {
            RELOAD_LOG.info("config: logFormat changed; that takes effect on restart");
        }
        if (started != null && !next.statusInterval().equals(started.statusInterval())) {
            RELOAD_LOG.info("config: statusInterval changed; that takes effect on restart");
        }
        return withAnalyzers(next.config());
    }

    /** A distributor needs an analyzer: refused at startup, and a reload that would remove them all is refused too. */
    private static DistributorConfig withAnalyzers(DistributorConfig config) {
        if (config.analyzers().isEmpty()) {
            throw new IllegalArgumentException("no analyzers: give at least one --analyzer NAME=HOST:PORT@WEIGHT (or analyzers: in --config)");
        }
        return config;
    }

    private ConfigFile.Model readFile() {
        return configFile == null ? new ConfigFile.Model() : ConfigFile.read(configFile);
    }

    /** What the program runs with: the distributor's configuration and the program's own two settings. */
    private record Settings(DistributorConfig config, LogFormat logFormat, Duration statusInterval) {
    }

    /** The one place where flags win: the file's settings first, then the flags given over them. */
    private Settings settings(ConfigFile.Model file) {
        String logFormat = flags.logFormat != null ? flags.logFormat : file.logFormat != null ? file.logFormat : "text";
        String interval = flags.statusInterval != null ? flags.statusInterval : file.statusInterval != null ? file.statusInterval : "5s";
        LogFormat format = LogFormat.parse(logFormat);
        Duration statusInterval = DurationConverter.parse(interval);
        DistributorConfig.Builder b = configFile == null ? DistributorConfig.builder() : ConfigFile.toBuilder(file, configFile);
        return new Settings(build(flags.applyTo(b)), format, statusInterval);
    }

    /** Builds the configuration; a setting out of range is named by its flag when one gave it, else by the file and key. */
    private DistributorConfig build(DistributorConfig.Builder b) {
        try {
            return b.build();
        } catch (InvalidSettingException e) {
            // Each config-file key's flag is the key in kebab case: emitterWindow, --emitter-window.
            String flag = "--" + e.setting().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
            if (spec.findOption(flag) != null && parsed != null && parsed.hasMatchedOption(flag)) {
                throw new IllegalArgumentException(e.forOption(flag), e);
            }
            if (configFile != null) {
                throw new IllegalArgumentException(configFile + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    @Override
    public Integer call() throws Exception {
        // Stamped before the read: an edit while the distributor starts is then a change to apply.
        ConfigReloader.FileStamp readAs = configFile == null ? null : ConfigReloader.FileStamp.of(configFile);
        Settings settings = settings(readFile());
        startedWith = settings;
        LogFormat format = settings.logFormat();
        if (format != LogFormat.TEXT) {
            format.apply();
        }
        DistributorConfig config = withAnalyzers(settings.config());
        if (config.deadLetterDir() != null) {
            DeadLetterSink.requireUsable(config.deadLetterDir());
        }
        Distributor d;
        try {
            d = Distributor.start(config);
        } catch (ListenFailure e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return 1;
        }
        ConfigReloader reloader = configFile == null ? null
            : new ConfigReloader(d, configFile, this::buildConfig, !flags.hasAnalyzerFlags(), Duration.ofSeconds(1), readAs);
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
            if (r.undelivered() == 0 && r.deadLettered() == 0 && r.loopsNotAnswering() == 0) {
                System.out.println("distributor: stopped; everything accepted was delivered");
            } else {
                System.out.println("distributor: stopped; " + r.deadLettered() + " packets undelivered went to "
                    + (r.deadLetterFile() == null ? "no dead-letter file" : r.deadLetterFile())
                    + (r.undelivered() > 0 ? ", " + r.undelivered() + " more were not ACKed (emitters send them again)" : "")
                    + (r.loopsNotAnswering() > 0 ? "; " + r.loopsNotAnswering() + " event loops did not answer in time, and"
                        + " what they held is not counted here (unless they wrote it to the dead-letter file after all,"
                        + " it was not ACKed, and emitters send it again)" : ""));
            }
            System.out.flush();
            stopped.countDown();
            Runtime.getRuntime().halt(0);
        }, "shutdown"));
        StatusLine status = new StatusLine(d);
        long intervalMs = settings.statusInterval().toMillis();
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
