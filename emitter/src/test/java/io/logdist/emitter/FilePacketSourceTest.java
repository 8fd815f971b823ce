package io.logdist.emitter;

import io.logdist.protocol.packet.PacketFlyweight;
import io.logdist.protocol.packet.PacketWriter;
import io.logdist.protocol.testing.PacketModel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class FilePacketSourceTest {
    private final PacketWriter writer = new PacketWriter();
    private final OnceWarning warning = new OnceWarning(LoggerFactory.getLogger(FilePacketSourceTest.class));
    private final AtomicInteger wakes = new AtomicInteger();
    private LineChunkReader reader;
    private FilePacketSource source;

    private void read(String text, int messagesPerPacket, int maxLineBytes) {
        prepare(text, messagesPerPacket, maxLineBytes);
        reader.start();
    }

    /** The reader and the source, the reader not started yet. */
    private void prepare(String text, int messagesPerPacket, int maxLineBytes) {
        reader = new LineChunkReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test", true, false,
            messagesPerPacket, maxLineBytes, 4, ByteBufAllocator.DEFAULT, warning);
        source = new FilePacketSource(reader, new Wakeup(Runnable::run, wakes::incrementAndGet), warning);
    }

    @AfterEach
    void release() {
        source.close();
        reader.close();
    }

    /** The messages of the next packet, once the source has one. */
    private List<String> nextPacket(int maxPacketBytes) {
        await().atMost(Duration.ofSeconds(5)).until(() -> source.ready());
        ByteBuf buf = Unpooled.buffer(source.frameBytesHint(maxPacketBytes));
        try {
            writer.begin(buf, 1, 1, 0, 0);
            assertThat(source.fill(writer, maxPacketBytes)).isPositive();
            assertThat(writer.finish()).isLessThanOrEqualTo(maxPacketBytes);
            // Fails the test unless the packet validates.
            PacketModel packet = PacketModel.read(new PacketFlyweight().wrap(buf));
            return packet.messages().stream().map(m -> new String(m, StandardCharsets.UTF_8)).toList();
        } finally {
            buf.release();
        }
    }

    /** Every packet the source makes until it runs dry. */
    private List<List<String>> packets(int maxPacketBytes) {
        List<List<String>> packets = new ArrayList<>();
        while (true) {
            await().atMost(Duration.ofSeconds(5)).until(() -> source.ready() || source.exhausted());
            if (!source.ready()) {
                break;
            }
            packets.add(nextPacket(maxPacketBytes));
        }
        assertThat(source.exhausted()).isTrue();
        return packets;
    }

    @Test
    void shouldGroupLinesIntoPacketsWithoutTheirLineEndings() {
        read("one\ntwo\r\n\nfour\nfive", 2, 1 << 20);

        assertThat(packets(1 << 20)).containsExactly(List.of("one", "two"), List.of("", "four"), List.of("five"));
    }

    @Test
    void shouldNotMakeAnEmptyLastLineOfATrailingNewline() {
        read("a\nb\n", 10, 1 << 20);

        assertThat(packets(1 << 20)).containsExactly(List.of("a", "b"));
    }

    @Test
    void shouldCutLinesLongerThanTheReaderKeeps() {
        read("x".repeat(100) + "\ny\n", 10, 30);

        assertThat(packets(1 << 20)).containsExactly(List.of("x".repeat(30), "y"));
    }

    @Test
    void shouldSplitAChunkThatDoesNotFitOneFrame() {
        read("aaaaaaaaaa\nbbbbbbbbbb\ncccccccccc\n", 3, 1 << 20);

        // Room for two 10-byte messages: 32 + 2 * 14 = 60 bytes.
        assertThat(packets(60)).containsExactly(List.of("aaaaaaaaaa", "bbbbbbbbbb"), List.of("cccccccccc"));
    }

    @Test
    void shouldSendTheWholeLinesAtHandWhenTheInputHasNoMoreForNow() throws IOException {
        // tail -F app.log | emitter --file -: a quiet log must not hold its last lines back
        // until 32 more arrive; a line still being written waits for its newline.
        PipedInputStream in = new PipedInputStream(1 << 16);
        try (PipedOutputStream tail = new PipedOutputStream(in)) {
            reader = new LineChunkReader(in, "stdin", true, true, 32, 1 << 20, 4, ByteBufAllocator.DEFAULT, warning);
            source = new FilePacketSource(reader, new Wakeup(Runnable::run, wakes::incrementAndGet), warning);
            reader.start();

            tail.write("one\ntwo\nthr".getBytes(StandardCharsets.UTF_8));
            tail.flush();
            assertThat(nextPacket(1 << 20)).containsExactly("one", "two");

            tail.write("ee\nfour\n".getBytes(StandardCharsets.UTF_8));
            tail.flush();
            assertThat(nextPacket(1 << 20)).containsExactly("three", "four");
        }
        assertThat(packets(1 << 20)).isEmpty();
    }

    @Test
    @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
    void shouldReadANamedPipeAsItComes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // --file FIFO: on JDK 17 available() on such a stream throws; that is not the end of the input.
        java.nio.file.Path fifo = dir.resolve("log.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        java.util.concurrent.CountDownLatch firstTaken = new java.util.concurrent.CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(fifo)) {
                out.write("a\nb\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                firstTaken.await(); // the pipe stays open meanwhile: more may come
                out.write("c\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        reader = new LineChunkReader(java.nio.file.Files.newInputStream(fifo), "log.fifo", true, true, 32, 1 << 20, 4,
            ByteBufAllocator.DEFAULT, warning);
        source = new FilePacketSource(reader, new Wakeup(Runnable::run, wakes::incrementAndGet), warning);
        reader.start();

        assertThat(nextPacket(1 << 20)).containsExactly("a", "b");
        firstTaken.countDown();
        assertThat(nextPacket(1 << 20)).containsExactly("c");
        writer.join(5_000);
        assertThat(packets(1 << 20)).isEmpty();
    }

    @Test
    void shouldSayItIsExhaustedOnlyOnceTheInputEndedAndEveryChunkWasTaken() {
        prepare("", 4, 1 << 20);
        assertThat(source.ready()).as("nothing read yet").isFalse(); // the session now waits for a wake-up
        assertThat(source.exhausted()).isFalse();

        reader.start();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(wakes).as("the end of input wakes the waiting session").hasValue(1));
        assertThat(source.ready()).isFalse();
        assertThat(source.exhausted()).isTrue();
    }
}
