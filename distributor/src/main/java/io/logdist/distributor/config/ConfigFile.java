package io.logdist.distributor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.logdist.distributor.logging.LogFormat;
import io.logdist.protocol.cli.DurationConverter;
import io.logdist.protocol.cli.HostPort;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The distributor's settings as its YAML configuration file and its command line give
 * them: one {@link Model} that Jackson binds from the file and picocli from the flags,
 * and one mapping from it onto {@link DistributorConfig} ({@link Model#applyTo}).
 *
 * <pre>
 * listen: 127.0.0.1:7000
 * admin: 127.0.0.1:7080
 * name: logdist
 * analyzers:
 *   - { name: a1, address: 127.0.0.1:7101, weight: 0.4 }
 *   - { name: a2, address: 127.0.0.1:7102, weight: 0.3 }
 * threads: 0
 * analyzerConnections: 0   # to each analyzer, one per event loop up to this many; 0 = one per loop
 * emitterWindow: 1024
 * linkWindow: 1024
 * maxFrameLength: 1048568
 * parkedBytes: 134217728
 * helloTimeout: 5s
 * reconnectBase: 50ms
 * reconnectMax: 10s
 * linkTimeout: 2s
 * maxRetries: 5
 * deadLetter: /var/lib/logdist/dead-letter
 * slowStart: 10s
 * queueBytes: 67108864
 * overflow: block          # block | reject | shed:PRIORITY
 * drainTimeout: 10s
 * emitterExpiry: 10m       # forget an emitter this long after it left; 0 = never
 * statusInterval: 5s       # the CLI's status line; 0 = never
 * logFormat: text          # text | json
 * </pre>
 *
 * Unknown keys are errors (a typo must not pass silently); errors name the line and field.
 * Values that parse (addresses, durations, weights, policies) are checked as they are read,
 * by the setters below, so that a bad one is reported at its line.
 */
public final class ConfigFile {
    /**
     * The settings, as Jackson binds the file (through the setters) or picocli binds the
     * flags ({@code DistributorMain} mixes this class in; fields directly, checked by the
     * converters below); null where a setting is not given. Each field is a file key and,
     * when annotated, the flag of the same name; {@code helloTimeout} has no flag.
     *
     * <p>Thread: filled and read by one thread (the reader's, or the command line's).
     */
    public static final class Model {
        @Option(names = "--listen", paramLabel = "HOST:PORT", converter = AddressFlag.class,
            description = "Where emitters connect (default 127.0.0.1:7000).")
        public String listen;

        @Option(names = "--admin", paramLabel = "HOST:PORT", converter = AddressFlag.class,
            description = "Admin HTTP endpoint: JSON API under /api, /metrics (Prometheus), /health, /ready, and the dashboard at /.")
        public String admin;

        /**
         * The {@code --analyzer} flags as written; not a file key (Jackson binds public
         * fields only). Parsed when applied rather than by picocli, so that a bad one is
         * the single line {@code error: ...} that names the expected form.
         */
        @Option(names = "--analyzer", paramLabel = "NAME=HOST:PORT@WEIGHT",
            description = "An analyzer to feed; repeat for each. Weights are relative, e.g. a1=127.0.0.1:7101@0.4.")
        List<String> analyzerFlags = new ArrayList<>();

        public List<AnalyzerEntry> analyzers = new ArrayList<>();

        @Option(names = "--name", description = "Name sent to peers (default logdist).")
        public String name;

        @Option(names = "--threads", description = "Event loops for connections (default: one per core); each has its own connection to every analyzer.")
        public Integer threads;

        @Option(names = "--analyzer-connections", paramLabel = "N", description = "Connections to each analyzer, one on each of the first N event loops "
            + "(default 0: one per event loop, so a packet never changes thread; with fewer, packets read on the other loops cross to these).")
        public Integer analyzerConnections;

        @Option(names = "--emitter-window", paramLabel = "PACKETS", description = "Largest window granted to an emitter (default 1024).")
        public Integer emitterWindow;

        @Option(names = "--link-window", paramLabel = "DELIVERS", description = "Window asked of each analyzer (default 1024).")
        public Integer linkWindow;

        @Option(names = "--max-frame-length", paramLabel = "BYTES", description = "Largest frame accepted from emitters (default 1048568: 1 MiB less the 8 bytes a DELIVER adds, so every packet fits an analyzer's default 1 MiB).")
        public Integer maxFrameLength;

        @Option(names = "--parked-bytes", paramLabel = "BYTES",
            description = "Per event loop, bytes that may wait for an analyzer before new packets are refused (default 134217728).")
        public Long parkedBytes;

        public String helloTimeout;

        @Option(names = "--reconnect-base", paramLabel = "DURATION", converter = DurationFlag.class,
            description = "First reconnect delay to an analyzer (default 50ms).")
        public String reconnectBase;

        @Option(names = "--reconnect-max", paramLabel = "DURATION", converter = DurationFlag.class,
            description = "Longest reconnect delay (default 10s).")
        public String reconnectMax;

        @Option(names = "--link-timeout", paramLabel = "DURATION", converter = DurationFlag.class,
            description = "A link with DELIVERs unacknowledged and no ACK (or a PING unanswered) this long is down (default 2s).")
        public String linkTimeout;

        @Option(names = "--max-retries", paramLabel = "N", description = "Reroutes a packet may take before it goes to the dead-letter file (default 5).")
        public Integer maxRetries;

        @Option(names = "--dead-letter", paramLabel = "DIR",
            description = "Directory for packets rerouted more than --max-retries times (append-only, CRC-checked); without it they keep being rerouted.")
        public String deadLetter;

        @Option(names = "--slow-start", paramLabel = "DURATION", converter = DurationFlag.class,
            description = "Ramp of a returning analyzer's weight from ~0 to full (default 10s; 0 = none).")
        public String slowStart;

        @Option(names = "--queue-bytes", paramLabel = "BYTES", description = "Per analyzer, bytes queued before --overflow applies (default 67108864).")
        public Long queueBytes;

        @Option(names = "--overflow", paramLabel = "POLICY",
            description = "When an analyzer's queue is full: block (slow emitters; default), reject (NACK OVERLOADED), shed:N (drop priorities above N, NACKed).")
        public String overflow;

        @Option(names = "--drain-timeout", paramLabel = "DURATION", converter = DurationFlag.class,
            description = "On SIGTERM, how long to keep delivering what is held (default 10s).")
        public String drainTimeout;

        @Option(names = "--emitter-expiry", paramLabel = "DURATION", converter = DurationFlag.class,
            description = "Forget an emitter (its settled cursor) this long after its last connection closed and its packets settled (default 10m; 0 = never).")
        public String emitterExpiry;

        @Option(names = "--status-interval", paramLabel = "DURATION", converter = DurationFlag.class,
            description = "How often to print a status line; 0 for never (default 5s).")
        public String statusInterval;

        @Option(names = "--log-format", paramLabel = "FORMAT",
            description = "text (default: human-readable lines) or json (one JSON object per line, with analyzer, emitter and connection ids as fields).")
        public String logFormat;

        // Setters check what they can as the file is read: Jackson reports their refusals with line and field.
        public void setListen(String v) {
            listen = address(v);
        }

        public void setAdmin(String v) {
            admin = address(v);
        }

        public void setHelloTimeout(String v) {
            helloTimeout = duration(v);
        }

        public void setReconnectBase(String v) {
            reconnectBase = duration(v);
        }

        public void setReconnectMax(String v) {
            reconnectMax = duration(v);
        }

        public void setLinkTimeout(String v) {
            linkTimeout = duration(v);
        }

        public void setSlowStart(String v) {
            slowStart = duration(v);
        }

        public void setDrainTimeout(String v) {
            drainTimeout = duration(v);
        }

        public void setEmitterExpiry(String v) {
            emitterExpiry = duration(v);
        }

        public void setStatusInterval(String v) {
            statusInterval = duration(v);
        }

        public void setOverflow(String v) {
            if (v != null) {
                OverflowPolicy.parse(v);
            }
            overflow = v;
        }

        public void setLogFormat(String v) {
            if (v != null) {
                LogFormat.parse(v);
            }
            logFormat = v;
        }

        /** True when the analyzers come from {@code --analyzer} flags rather than the file. */
        public boolean hasAnalyzerFlags() {
            return !analyzerFlags.isEmpty();
        }

        /**
         * Sets on {@code b} every setting this model gives, leaving the others as they are:
         * applied to the file's model and then to the flags', the flags win. Analyzers are
         * set only when some are given, so flags' analyzers replace the file's as a whole.
         * Settings of the program rather than the distributor ({@code statusInterval},
         * {@code logFormat}) are not in {@link DistributorConfig}.
         *
         * @throws IllegalArgumentException when a value does not parse (a file entry's names its index)
         */
        public DistributorConfig.Builder applyTo(DistributorConfig.Builder b) {
            List<AnalyzerSpec> specs = new ArrayList<>();
            List<AnalyzerEntry> entries = analyzers == null ? List.of() : analyzers; // "analyzers:" with nothing under it
            for (int i = 0; i < entries.size(); i++) {
                AnalyzerEntry a = entries.get(i);
                // Jackson enforces "required" only on creator parameters: name what is missing here.
                String missing = a == null ? "name, address and weight" : a.name == null ? "name" : a.address == null ? "address"
                    : a.weight == null ? "weight" : null;
                if (missing != null) {
                    throw new IllegalArgumentException("analyzers[" + i + "]: missing " + missing
                        + " (each entry is { name: N, address: HOST:PORT, weight: W })");
                }
                try {
                    specs.add(new AnalyzerSpec(a.name, HostPort.parse(a.address), a.weight));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("analyzers[" + i + "]: " + e.getMessage(), e);
                }
            }
            for (String flag : analyzerFlags) {
                specs.add(AnalyzerSpec.parse(flag));
            }
            if (!specs.isEmpty()) {
                b.analyzers(specs);
            }
            ifGiven(listen, v -> b.listen(HostPort.parse(v)));
            ifGiven(admin, v -> b.admin(HostPort.parse(v)));
            ifGiven(name, b::name);
            ifGiven(threads, b::threads);
            ifGiven(analyzerConnections, b::analyzerConnections);
            ifGiven(emitterWindow, b::maxEmitterWindow);
            ifGiven(linkWindow, b::linkWindow);
            ifGiven(maxFrameLength, b::maxFrameLength);
            ifGiven(parkedBytes, b::parkedBytesLimit);
            ifGiven(helloTimeout, v -> b.helloTimeout(DurationConverter.parse(v)));
            ifGiven(reconnectBase, v -> b.reconnectBase(DurationConverter.parse(v)));
            ifGiven(reconnectMax, v -> b.reconnectMax(DurationConverter.parse(v)));
            ifGiven(linkTimeout, v -> b.linkTimeout(DurationConverter.parse(v)));
            ifGiven(maxRetries, b::maxRetries);
            ifGiven(deadLetter, v -> b.deadLetterDir(Path.of(v)));
            ifGiven(slowStart, v -> b.slowStart(DurationConverter.parse(v)));
            ifGiven(queueBytes, b::queueBytes);
            ifGiven(overflow, v -> b.overflow(OverflowPolicy.parse(v)));
            ifGiven(drainTimeout, v -> b.drainTimeout(DurationConverter.parse(v)));
            ifGiven(emitterExpiry, v -> b.emitterExpiry(DurationConverter.parse(v)));
            return b;
        }

        private static <T> void ifGiven(T value, Consumer<T> set) {
            if (value != null) {
                set.accept(value);
            }
        }
    }

    /**
     * {@code HOST:PORT}, checked by {@link HostPort.Converter} as the command line is parsed
     * (picocli reports a refusal with the flag's name) and kept as text, like the file's.
     */
    static final class AddressFlag implements CommandLine.ITypeConverter<String> {
        private static final HostPort.Converter CHECK = new HostPort.Converter();

        @Override
        public String convert(String value) {
            CHECK.convert(value);
            return value;
        }
    }

    /** A duration such as {@code 500ms}, checked by {@link DurationConverter} and kept as text. */
    static final class DurationFlag implements CommandLine.ITypeConverter<String> {
        private static final DurationConverter CHECK = new DurationConverter();

        @Override
        public String convert(String value) {
            CHECK.convert(value);
            return value;
        }
    }

    private static String address(String v) {
        if (v != null) {
            HostPort.parse(v);
        }
        return v;
    }

    private static String duration(String v) {
        if (v != null) {
            DurationConverter.parse(v);
        }
        return v;
    }

    /** One analyzer entry in the file. */
    public static final class AnalyzerEntry {
        @JsonProperty(required = true)
        public String name;
        @JsonProperty(required = true)
        public String address;
        @JsonProperty(required = true)
        public Double weight;

        public void setName(String v) {
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException("analyzer name is empty");
            }
            name = v;
        }

        public void setAddress(String v) {
            address = address(v);
        }

        public void setWeight(Double v) {
            // NaN fails the check, so a null weight is refused with the same message.
            AnalyzerSpec.checkWeight(v == null ? Double.NaN : v, v);
            weight = v;
        }
    }

    private ConfigFile() {
    }

    /** Reads and validates {@code path}; throws {@link IllegalArgumentException} with a one-line message. */
    public static Model read(Path path) {
        // A key given twice is refused: YAML forbids it, and taking the last one silently would,
        // for `analyzers`, drop every analyzer of the first list at the next reload.
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + ": no such file");
        }
        try {
            Model m = yaml.readValue(path.toFile(), Model.class);
            if (m == null) {
                throw new IllegalArgumentException(path + ": the file is empty");
            }
            return m;
        } catch (JsonMappingException e) {
            // A setter's refusal comes wrapped; its own message is the one to show.
            String why = e.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null
                ? iae.getMessage() : e.getOriginalMessage();
            throw new IllegalArgumentException(path + where(e.getLocation()) + ": " + fieldPath(e) + why.split("\n")[0]);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(path + where(e.getLocation()) + ": " + e.getOriginalMessage().split("\n")[0]);
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static String where(JsonLocation loc) {
        return loc == null ? "" : ":" + loc.getLineNr();
    }

    private static String fieldPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "" : "field '" + sb + "': ";
    }

    /** Builds the configuration from a file model. */
    public static DistributorConfig toConfig(Model m, Path path) {
        DistributorConfig.Builder b = toBuilder(m, path);
        try {
            return b.build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    /** The file's settings in a builder, defaults where the file says nothing, for flags to override. */
    public static DistributorConfig.Builder toBuilder(Model m, Path path) {
        try {
            return m.applyTo(DistributorConfig.builder());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }
}
