package io.logdist.distributor.deadletter;

import io.logdist.distributor.queue.Packet;
import io.logdist.protocol.deadletter.DeadLetterReader;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DeadLetterSinkTest {
    @TempDir
    Path tmp;

    private static Packet packet(long sequence) {
        return Packet.of(Unpooled.copiedBuffer("packet " + sequence, StandardCharsets.UTF_8), null, sequence, 1, 0);
    }

    @Test
    void shouldNotTryAgainWithinTheWaitAfterAFailure() throws IOException {
        Path dir = tmp.resolve("dead-letter");
        Files.writeString(dir, "in the way");
        Packet p = packet(1);
        try (DeadLetterSink sink = new DeadLetterSink(dir, Duration.ofHours(1))) {
            assertThat(sink.write(p, "max retries")).isFalse();
            Files.delete(dir); // usable again, but the wait has not passed
            assertThat(sink.write(p, "max retries")).as("within the wait: not tried again").isFalse();
            assertThat(sink.count()).isZero();
        } finally {
            p.bytes.release();
        }
    }

    @Test
    void shouldWriteAgainOnceTheDirectoryIsUsableAgain() throws IOException {
        // A dead-letter directory that cannot be written for a while (here: a file in its
        // place; in life, a full disk): packets keep being rerouted meanwhile, and once it can
        // be written again they go to it, rather than never again until a restart.
        Path dir = tmp.resolve("dead-letter");
        Files.writeString(dir, "in the way");
        Packet p = packet(1);
        try (DeadLetterSink sink = new DeadLetterSink(dir, Duration.ofMillis(50))) {
            assertThat(sink.write(p, "max retries")).isFalse();

            Files.delete(dir);
            await().atMost(Duration.ofSeconds(5)).until(() -> sink.write(p, "max retries"));

            assertThat(sink.count()).isEqualTo(1);
            List<String> reasons = new ArrayList<>();
            DeadLetterReader.read(sink.file(), (bytes, at, reroutes, reason) -> reasons.add(reason));
            assertThat(reasons).containsExactly("max retries");
        } finally {
            p.bytes.release();
        }
    }
}
