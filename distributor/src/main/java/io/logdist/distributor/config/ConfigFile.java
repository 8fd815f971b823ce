package io.logdist.distributor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.logdist.distributor.logging.LogFormat;
import io.logdist.protocol.cli.DurationConverter;
import io.logdist.protocol.cli.HostPort;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The distributor's YAML configuration file: the same settings as the command line.
 *
 * <pre>
 * listen: 127.0.0.1:7000
 * admin: 127.0.0.1:7080
 * name: logdist
 * analyzers:
 *   - { name: a1, address: 127.0.0.1:7101, weight: 0.4 }
 *   - { name: a2, address: 127.0.0.1:7102, weight: 0.3 }
 * threads: 0
 * emitterWindow: 1024
 * linkWindow: 1024
 * maxFrameLength: 1048576
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
    /** The file's shape, as Jackson binds it. */
    public static final class Model {
        public String listen;
        public String admin;
        public String name;
        public List<AnalyzerEntry> analyzers = new ArrayList<>();
        public Integer threads;
        public Integer emitterWindow;
        public Integer linkWindow;
        public Integer maxFrameLength;
        public Long parkedBytes;
        public String helloTimeout;
        public String reconnectBase;
        public String reconnectMax;
        public String linkTimeout;
        public Integer maxRetries;
        public String deadLetter;
        public String slowStart;
        public Long queueBytes;
        public String overflow;
        public String drainTimeout;
        public String emitterExpiry;
        public String statusInterval;
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
            if (v == null || !(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("weight=" + v + " must be a positive number");
            }
            weight = v;
        }
    }

    private ConfigFile() {
    }

    /** Reads and validates {@code path}; throws {@link IllegalArgumentException} with a one-line message. */
    public static Model read(Path path) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
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
            List<AnalyzerSpec> analyzers = new ArrayList<>();
            for (int i = 0; i < m.analyzers.size(); i++) {
                AnalyzerEntry a = m.analyzers.get(i);
                try {
                    analyzers.add(new AnalyzerSpec(a.name, HostPort.parse(a.address), a.weight));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("analyzers[" + i + "]: " + e.getMessage(), e);
                }
            }
            DistributorConfig.Builder b = DistributorConfig.builder().analyzers(analyzers);
            if (m.listen != null) {
                b.listen(HostPort.parse(m.listen));
            }
            if (m.admin != null) {
                b.admin(HostPort.parse(m.admin));
            }
            if (m.name != null) {
                b.name(m.name);
            }
            if (m.threads != null) {
                b.threads(m.threads);
            }
            if (m.emitterWindow != null) {
                b.maxEmitterWindow(m.emitterWindow);
            }
            if (m.linkWindow != null) {
                b.linkWindow(m.linkWindow);
            }
            if (m.maxFrameLength != null) {
                b.maxFrameLength(m.maxFrameLength);
            }
            if (m.parkedBytes != null) {
                b.parkedBytesLimit(m.parkedBytes);
            }
            if (m.helloTimeout != null) {
                b.helloTimeout(DurationConverter.parse(m.helloTimeout));
            }
            if (m.reconnectBase != null) {
                b.reconnectBase(DurationConverter.parse(m.reconnectBase));
            }
            if (m.reconnectMax != null) {
                b.reconnectMax(DurationConverter.parse(m.reconnectMax));
            }
            if (m.linkTimeout != null) {
                b.linkTimeout(DurationConverter.parse(m.linkTimeout));
            }
            if (m.maxRetries != null) {
                b.maxRetries(m.maxRetries);
            }
            if (m.deadLetter != null) {
                b.deadLetterDir(Path.of(m.deadLetter));
            }
            if (m.slowStart != null) {
                b.slowStart(DurationConverter.parse(m.slowStart));
            }
            if (m.queueBytes != null) {
                b.queueBytes(m.queueBytes);
            }
            if (m.overflow != null) {
                b.overflow(OverflowPolicy.parse(m.overflow));
            }
            if (m.drainTimeout != null) {
                b.drainTimeout(DurationConverter.parse(m.drainTimeout));
            }
            if (m.emitterExpiry != null) {
                b.emitterExpiry(DurationConverter.parse(m.emitterExpiry));
            }
            return b;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }
}
