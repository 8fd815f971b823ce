package io.logdist.distributor.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path p = dir.resolve("distributor.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    @Test
    void shouldReadEverySetting() throws Exception {
        Path p = write("""
            listen: 127.0.0.1:7000
            admin: 127.0.0.1:7080
            name: edge-1
            analyzers:
              - { name: a1, address: 127.0.0.1:7101, weight: 0.4 }
              - { name: a2, address: "[::1]:7102", weight: 6 }
            threads: 3
            analyzerConnections: 1
            emitterWindow: 512
            linkWindow: 256
            maxFrameLength: 65536
            parkedBytes: 1000000
            helloTimeout: 2s
            reconnectBase: 100ms
            reconnectMax: 5s
            """);
        DistributorConfig c = ConfigFile.toConfig(ConfigFile.read(p), p);
        assertThat(c.listen().toString()).isEqualTo("127.0.0.1:7000");
        assertThat(c.admin().port()).isEqualTo(7080);
        assertThat(c.name()).isEqualTo("edge-1");
        assertThat(c.analyzers()).extracting(AnalyzerSpec::name).containsExactly("a1", "a2");
        assertThat(c.analyzers().get(1).address().host()).isEqualTo("::1");
        assertThat(c.analyzers().get(1).weight()).isEqualTo(6);
        assertThat(c.threads()).isEqualTo(3);
        assertThat(c.analyzerConnections()).isEqualTo(1);
        assertThat(c.maxEmitterWindow()).isEqualTo(512);
        assertThat(c.linkWindow()).isEqualTo(256);
        assertThat(c.maxFrameLength()).isEqualTo(65536);
        assertThat(c.parkedBytesLimit()).isEqualTo(1_000_000);
        assertThat(c.helloTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.reconnectBase()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.reconnectMax()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldNameTheLineAndFieldOfAnUnknownKey() throws Exception {
        Path p = write("""
            listen: 127.0.0.1:7000
            analyzers:
              - { name: a1, address: 127.0.0.1:7101, wieght: 0.4 }
            """);
        assertThatThrownBy(() -> ConfigFile.read(p))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("distributor.yaml:3")
            .hasMessageContaining("wieght");
    }

    @Test
    void shouldNameTheAnalyzerWithABadAddressAsTheFileIsRead() throws Exception {
        Path p = write("""
            listen: 127.0.0.1:7000
            analyzers:
              - { name: a1, address: 127.0.0.1:7101, weight: 0.4 }
              - { name: a2, address: nowhere, weight: 0.4 }
            """);
        assertThatThrownBy(() -> ConfigFile.read(p))
            .hasMessageContaining("analyzers[1].address").hasMessageContaining("HOST:PORT");
    }

    @Test
    void shouldRefuseAMissingFileInOneLine() {
        assertThatThrownBy(() -> ConfigFile.read(dir.resolve("nope.yaml"))).hasMessageEndingWith("nope.yaml: no such file");
    }

    @Test
    void shouldParseAnalyzerFlags() {
        AnalyzerSpec a = AnalyzerSpec.parse("a1=127.0.0.1:7101@0.4");
        assertThat(a.name()).isEqualTo("a1");
        assertThat(a.address().port()).isEqualTo(7101);
        assertThat(a.weight()).isEqualTo(0.4);
        assertThatThrownBy(() -> AnalyzerSpec.parse("a1=127.0.0.1:7101")).hasMessageContaining("NAME=HOST:PORT@WEIGHT");
        assertThatThrownBy(() -> AnalyzerSpec.parse("a1=127.0.0.1:7101@x")).hasMessageContaining("no numeric weight");
        assertThatThrownBy(() -> AnalyzerSpec.parse("a1=127.0.0.1:7101@0")).hasMessageContaining("must be a positive number");
    }
}
