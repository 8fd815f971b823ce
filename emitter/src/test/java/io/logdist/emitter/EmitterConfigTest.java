package io.logdist.emitter;

import io.logdist.protocol.cli.HostPort;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmitterConfigTest {
    private final EmitterConfig defaults = EmitterConfig.defaults(new HostPort("127.0.0.1", 7000));

    @Test
    void shouldHaveTheDocumentedDefaults() {
        assertThat(defaults.ratePerSecond()).isZero();
        assertThat(defaults.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.messagesPerPacket()).isEqualTo(32);
        assertThat(defaults.messageBytes()).isEqualTo(128);
        assertThat(defaults.connections()).isEqualTo(1);
        assertThat(defaults.priority()).isEqualTo(PrioritySpec.fixed(0));
        assertThat(defaults.file()).isNull();
        assertThat(defaults.window()).isEqualTo(256);
        assertThat(defaults.emitterIdBase()).isPositive();
        assertThat(defaults.name()).startsWith("emitter-");
        assertThat(defaults.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.reportFile()).isNull();
        assertThat(defaults.maxPackets()).isZero();
        assertThat(defaults.quiet()).isFalse();
    }

    @Test
    void shouldNameTheSettingAndItsRangeWhenAValueIsOutOfRange() {
        assertThatThrownBy(() -> defaults.withMessagesPerPacket(0))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("messagesPerPacket must be 1..65535 (was 0)");
        assertThatThrownBy(() -> defaults.withMessagesPerPacket(65_536)).hasMessageContaining("messagesPerPacket must be 1..65535 (was 65536)");
        assertThatThrownBy(() -> defaults.withMessageBytes(0)).hasMessageContaining("messageBytes must be 1..");
        assertThatThrownBy(() -> defaults.withConnections(0)).hasMessageContaining("connections must be 1..");
        assertThatThrownBy(() -> defaults.withWindow(0)).hasMessageContaining("window must be 1..");
        assertThatThrownBy(() -> defaults.withRatePerSecond(-1)).hasMessageContaining("ratePerSecond must be 0 or more (was -1)");
        assertThatThrownBy(() -> defaults.withMaxPackets(-1)).hasMessageContaining("maxPackets must be 0 or more (was -1)");
        assertThatThrownBy(() -> defaults.withDuration(Duration.ofSeconds(-1))).hasMessageStartingWith("duration must not be negative");
        assertThatThrownBy(() -> defaults.withDrainTimeout(Duration.ofSeconds(-1))).hasMessageStartingWith("drainTimeout must not be negative");
        assertThatThrownBy(() -> defaults.withEmitterIdBase(-5)).hasMessageContaining("emitterIdBase must be").hasMessageEndingWith("(was -5)");
        assertThatThrownBy(() -> defaults.withConnections(3).withEmitterIdBase(Long.MAX_VALUE))
            .hasMessageStartingWith("emitterIdBase must be");
    }

    @Test
    void shouldKeepEverythingElseWhenOneSettingChanges() {
        EmitterConfig c = defaults.withRatePerSecond(500).withConnections(4).withQuiet(true);

        assertThat(c.ratePerSecond()).isEqualTo(500);
        assertThat(c.connections()).isEqualTo(4);
        assertThat(c.quiet()).isTrue();
        assertThat(c.emitterIdBase()).isEqualTo(defaults.emitterIdBase());
        assertThat(c.window()).isEqualTo(defaults.window());
    }
}
