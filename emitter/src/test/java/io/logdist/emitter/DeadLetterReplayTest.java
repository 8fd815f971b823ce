package io.logdist.emitter;

import io.logdist.protocol.deadletter.DeadLetterWriter;
import io.logdist.protocol.testing.PacketModel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --replay}: a real {@link Emitter} sending dead-letter files to a {@link FakeDistributor}. */
class DeadLetterReplayTest {
    private static final long TIMEOUT_S = 15;

    @TempDir
    Path dir;

    private FakeDistributor fake;

    @BeforeEach
    void startFake() throws InterruptedException {
        fake = new FakeDistributor();
    }

    @AfterEach
    void stopFake() {
        fake.close();
    }

    private EmitterConfig config(Path... replay) {
        return EmitterConfig.defaults(fake.address())
            .withQuiet(true)
            .withDuration(Duration.ZERO)
            .withDrainTimeout(Duration.ofSeconds(5))
            .withEmitterIdBase(500)
            .withPriority(PrioritySpec.fixed(200))
            .withReplay(List.of(replay));
    }

    private static EmitterReport run(EmitterConfig config) throws Exception {
        try (Emitter emitter = Emitter.start(config)) {
            return emitter.completion().get(TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    /** A dead-lettered packet as the distributor would have written it. */
    private record Dead(long emitterId, long sequence, int priority, List<String> messages, boolean corrupt) {
        static Dead of(long emitterId, long sequence, int priority, String... messages) {
            return new Dead(emitterId, sequence, priority, List.of(messages), false);
        }

        Dead corrupted() {
            return new Dead(emitterId, sequence, priority, messages, true);
        }

        PacketModel packet() {
            return new PacketModel(emitterId, sequence, 1_000, priority,
                messages.stream().map(m -> m.getBytes(StandardCharsets.UTF_8)).toList());
        }
    }

    private Path deadLetters(String subdir, Dead... packets) throws IOException {
        try (DeadLetterWriter writer = DeadLetterWriter.open(dir.resolve(subdir))) {
            for (Dead d : packets) {
                byte[] packet = d.packet().toBytes();
                if (d.corrupt()) {
                    // The model always writes a right CRC: change the last payload byte after it.
                    packet[packet.length - 1] ^= 0x40;
                }
                ByteBuf b = Unpooled.wrappedBuffer(packet);
                try {
                    writer.append(b, 5, "max retries (5) exceeded");
                } finally {
                    b.release();
                }
            }
            return writer.file();
        }
    }

    @Test
    void shouldResendEachDeadLetteredPacketAsOneNewPacketUnderItsOwnIdKeepingPriorityAndMessages() throws Exception {
        Path file = deadLetters("dl",
            Dead.of(7, 40, 3, "alpha", "beta"),
            Dead.of(7, 41, 250, "gamma"),
            Dead.of(9, 2, 0, "", "delta", "épsilon"));

        EmitterReport report = run(config(file));

        assertThat(report.replayedPackets()).isEqualTo(3);
        assertThat(report.packetsAcked()).isEqualTo(3);
        assertThat(report.messagesAcked()).isEqualTo(6);
        List<FakeDistributor.Received> packets = fake.accepted();
        assertThat(packets).extracting(FakeDistributor.Received::emitterId).containsOnly(500L);
        assertThat(packets).extracting(FakeDistributor.Received::sequence).containsExactly(1L, 2L, 3L);
        assertThat(packets).extracting(FakeDistributor.Received::priority).containsExactly(3, 250, 0);
        assertThat(packets).extracting(FakeDistributor.Received::messages).containsExactly(
            List.of("alpha", "beta"), List.of("gamma"), List.of("", "delta", "épsilon"));
        assertThat(report.emitters().get(500L).ackedThrough()).isEqualTo(3);
        assertThat(fake.badPackets()).isZero();
    }

    @Test
    void shouldSkipAndCountPacketsThatFailValidation() throws Exception {
        Path file = deadLetters("dl",
            Dead.of(7, 1, 1, "good one"),
            Dead.of(7, 2, 1, "bad one").corrupted(),
            Dead.of(7, 3, 1, "good two"));

        try (Emitter emitter = Emitter.start(config(file))) {
            EmitterReport report = emitter.completion().get(TIMEOUT_S, TimeUnit.SECONDS);

            assertThat(report.replayedPackets()).isEqualTo(2);
            assertThat(emitter.replaySkipped()).isEqualTo(1);
            assertThat(emitter.packetsUnacked()).isZero();
        }
        assertThat(fake.accepted()).extracting(FakeDistributor.Received::messages)
            .containsExactly(List.of("good one"), List.of("good two"));
    }

    @Test
    void shouldReplayEveryFileOfADirectoryOverSeveralConnections() throws Exception {
        Dead[] first = IntStream.rangeClosed(1, 300).mapToObj(i -> Dead.of(1, i, i % 8, "first " + i)).toArray(Dead[]::new);
        Dead[] second = IntStream.rangeClosed(1, 200).mapToObj(i -> Dead.of(2, i, 9, "second " + i, "!")).toArray(Dead[]::new);
        deadLetters("many", first);
        deadLetters("many", second);

        EmitterReport report = run(config(dir.resolve("many")).withConnections(3));

        assertThat(report.replayedPackets()).isEqualTo(500);
        assertThat(report.messagesAcked()).isEqualTo(300 + 400);
        List<String> all = fake.accepted().stream().flatMap(p -> p.messages().stream()).toList();
        List<String> expected = new ArrayList<>();
        for (Dead d : first) {
            expected.addAll(d.messages());
        }
        for (Dead d : second) {
            expected.addAll(d.messages());
        }
        assertThat(all).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(report.emitters()).containsOnlyKeys(500L, 501L, 502L);
        for (long id : report.emitters().keySet()) {
            List<Long> sequences = fake.accepted().stream().filter(p -> p.emitterId() == id)
                .map(FakeDistributor.Received::sequence).toList();
            assertThat(sequences).isEqualTo(LongStream.rangeClosed(1, sequences.size()).boxed().toList());
        }
    }

    @Test
    void shouldSpreadAPacketOverSeveralWhenTheDistributorsFramesAreSmaller() throws Exception {
        fake.maxFrameLength = 100;
        Path file = deadLetters("dl", Dead.of(7, 1, 4, "a".repeat(30), "b".repeat(30), "c".repeat(30)));

        EmitterReport report = run(config(file));

        assertThat(report.replayedPackets()).isEqualTo(1);
        List<FakeDistributor.Received> packets = fake.accepted();
        assertThat(packets.stream().flatMap(p -> p.messages().stream()).toList())
            .containsExactly("a".repeat(30), "b".repeat(30), "c".repeat(30));
        assertThat(packets).hasSizeGreaterThan(1).extracting(FakeDistributor.Received::priority).containsOnly(4);
    }

    @Test
    void shouldRefuseToStartWhenADeadLetterFileIsMissingOrCorrupt() throws Exception {
        Path file = deadLetters("dl", Dead.of(7, 1, 1, "one"), Dead.of(7, 2, 1, "two"));
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        bytes[6 + 12] ^= 1; // the first record's writtenAtMicros: its CRC no longer matches
        java.nio.file.Files.write(file, bytes);

        assertThatThrownBy(() -> Emitter.start(config(file)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("record at offset 6 fails its CRC check");
        assertThatThrownBy(() -> Emitter.start(config(dir.resolve("nope.ldl"))))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cannot read dead-letter file " + dir.resolve("nope.ldl") + " (no such file)");
        assertThat(fake.packetCount()).isZero();
    }
}
