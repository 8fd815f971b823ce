package io.logdist.distributor.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A bad value in the config file is reported at its line, with its field, in one line. */
class ConfigFileErrorsTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path p = dir.resolve("d.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    @Test
    void shouldNameTheLineAndFieldOfAValueThatDoesNotParse() throws Exception {
        Path p = write("""
            listen: 127.0.0.1:7000
            analyzers:
              - { name: a1, address: 127.0.0.1:7101, weight: 1 }
            reconnectMax: soon
            """);
        assertThatThrownBy(() -> ConfigFile.read(p)).hasMessageStartingWith(p + ":4: field 'reconnectMax': 'soon' is not a duration")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "Exception"));
        Path q = write("""
            listen: nowhere
            """);
        assertThatThrownBy(() -> ConfigFile.read(q)).hasMessageContaining(":1: field 'listen':").hasMessageContaining("HOST:PORT");
        Path r = write("""
            listen: 127.0.0.1:7000
            analyzers:
              - name: a1
                address: 127.0.0.1:7101
                weight: 0
            """);
        assertThatThrownBy(() -> ConfigFile.read(r)).hasMessageContaining(":5: field 'analyzers[0].weight': weight=0.0 must be a positive number");
    }

    @Test
    void shouldRefuseAKeyGivenTwice() throws Exception {
        Path p = write("""
            analyzers:
              - { name: a1, address: 127.0.0.1:7101, weight: 1 }
            listen: 127.0.0.1:7000
            analyzers:
              - { name: a2, address: 127.0.0.1:7102, weight: 1 }
            """);
        assertThatThrownBy(() -> ConfigFile.read(p)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith(p + ":4: ").hasMessageContaining("Duplicate field 'analyzers'")
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "Exception"));
    }

    @Test
    void shouldReadTheProgramSettingsAndRefuseABadLogFormat() throws Exception {
        Path p = write("""
            listen: 127.0.0.1:7000
            statusInterval: 2s
            logFormat: json
            """);
        ConfigFile.Model m = ConfigFile.read(p);
        assertThat(m.statusInterval).isEqualTo("2s");
        assertThat(m.logFormat).isEqualTo("json");
        Path q = write("""
            listen: 127.0.0.1:7000
            logFormat: xml
            """);
        assertThatThrownBy(() -> ConfigFile.read(q)).hasMessageContaining(":2: field 'logFormat': logFormat='xml' must be text or json");
    }

    @Test
    void shouldRefuseTheAnalyzerFlagsAsAKey() throws Exception {
        // The model holds --analyzer flags as written too; the file must not be able to set them.
        Path p = write("""
            listen: 127.0.0.1:7000
            analyzerFlags: [ "a1=127.0.0.1:7101@1" ]
            """);
        assertThatThrownBy(() -> ConfigFile.read(p)).hasMessageContaining(":2:").hasMessageContaining("analyzerFlags");
    }
}
