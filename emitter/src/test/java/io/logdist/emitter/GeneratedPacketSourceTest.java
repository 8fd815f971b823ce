package io.logdist.emitter;

import io.logdist.protocol.packet.PacketFlyweight;
import io.logdist.protocol.packet.PacketWriter;
import io.logdist.protocol.testing.PacketModel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GeneratedPacketSourceTest {
    private final PacketWriter writer = new PacketWriter();
    private final OnceWarning warning = new OnceWarning(LoggerFactory.getLogger(GeneratedPacketSourceTest.class));

    private List<String> packet(GeneratedPacketSource source, int maxPacketBytes) {
        ByteBuf buf = Unpooled.buffer(source.frameBytesHint(maxPacketBytes));
        try {
            writer.begin(buf, 1, 1, 0, 0);
            int n = source.fill(writer, maxPacketBytes);
            int length = writer.finish();
            assertThat(length).isLessThanOrEqualTo(maxPacketBytes);
            // Fails the test unless the packet validates.
            PacketModel packet = PacketModel.read(new PacketFlyweight().wrap(buf));
            assertThat(packet.messages()).hasSize(n);
            return packet.messages().stream().map(m -> new String(m, StandardCharsets.US_ASCII)).toList();
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldMakeLogLikeMessagesOfTheExactSizeWithACounter() {
        GeneratedPacketSource source = new GeneratedPacketSource(42, 3, 120, warning);

        List<String> first = packet(source, 1 << 20);
        List<String> second = packet(source, 1 << 20);

        assertThat(first).hasSize(3).allSatisfy(m -> {
            assertThat(m).hasSize(120).startsWith("level=INFO emitter=42 seq=");
            assertThat(m.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
        });
        assertThat(first.get(0)).contains("seq=000000000001 ");
        assertThat(first.get(2)).contains("seq=000000000003 ");
        assertThat(second.get(0)).contains("seq=000000000004 ");
    }

    @Test
    void shouldCarryTheCounterAcrossDigits() {
        GeneratedPacketSource source = new GeneratedPacketSource(42, 100, 120, warning);
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            all.addAll(packet(source, 1 << 20));
        }
        for (int n : new int[] {9, 10, 99, 100, 101, 999, 1000, 1001, 1100}) {
            assertThat(all.get(n - 1)).contains(String.format("seq=%012d ", n));
        }
    }

    @Test
    void shouldCountInMessagesThatCutTheCounterField() {
        // "level=INFO emitter=3 seq=" is 25 bytes: 36-byte messages show all but the counter's last digit.
        GeneratedPacketSource source = new GeneratedPacketSource(3, 10, 36, warning);

        List<String> messages = packet(source, 1 << 20);

        assertThat(messages.get(8)).isEqualTo("level=INFO emitter=3 seq=00000000000");
        assertThat(messages.get(9)).isEqualTo("level=INFO emitter=3 seq=00000000001");
    }

    @Test
    void shouldPutFewerMessagesInAPacketThanAskedWhenTheFrameIsSmall() {
        GeneratedPacketSource source = new GeneratedPacketSource(1, 32, 100, warning);

        List<String> messages = packet(source, 996);

        assertThat(messages).hasSize((996 - 32) / 104);
    }

    @Test
    void shouldCutAMessageThatDoesNotFitAnyFrame() {
        GeneratedPacketSource source = new GeneratedPacketSource(1, 4, 500, warning);

        List<String> messages = packet(source, 200);

        assertThat(messages).hasSize(1);
        assertThat(messages.get(0)).hasSize(200 - 32 - 4);
    }

    @Test
    void shouldWriteWhatFitsOfTheCounterIntoTinyMessages() {
        GeneratedPacketSource source = new GeneratedPacketSource(7, 2, 5, warning);

        assertThat(packet(source, 1 << 20)).containsExactly("level", "level");
    }
}
