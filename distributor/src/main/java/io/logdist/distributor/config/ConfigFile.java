package io.logdist.distributor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.logdist.protocol.cli.DurationConverter;
import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.FrameDescriptor;

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
 * </pre>
 *
 * Unknown keys are errors (a typo must not pass silently); errors name the line and field.
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
    }

    /** One analyzer entry in the file. */
    public static final class AnalyzerEntry {
        @JsonProperty(required = true)
        public String name;
        @JsonProperty(required = true)
        public String address;
        @JsonProperty(required = true)
        public Double weight;
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
            throw new IllegalArgumentException(path + where(e.getLocation()) + ": " + fieldPath(e) + e.getOriginalMessage().split("\n")[0]);
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
            return new DistributorConfig(
                m.listen == null ? null : HostPort.parse(m.listen),
                m.admin == null ? null : HostPort.parse(m.admin),
                analyzers,
                m.name,
                m.threads == null ? 0 : m.threads,
                m.emitterWindow == null ? DistributorConfig.DEFAULT_MAX_EMITTER_WINDOW : m.emitterWindow,
                m.linkWindow == null ? DistributorConfig.DEFAULT_LINK_WINDOW : m.linkWindow,
                m.maxFrameLength == null ? FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH : m.maxFrameLength,
                m.parkedBytes == null ? DistributorConfig.DEFAULT_PARKED_BYTES_LIMIT : m.parkedBytes,
                m.helloTimeout == null ? DistributorConfig.DEFAULT_HELLO_TIMEOUT : DurationConverter.parse(m.helloTimeout),
                m.reconnectBase == null ? DistributorConfig.DEFAULT_RECONNECT_BASE : DurationConverter.parse(m.reconnectBase),
                m.reconnectMax == null ? DistributorConfig.DEFAULT_RECONNECT_MAX : DurationConverter.parse(m.reconnectMax));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }
}
