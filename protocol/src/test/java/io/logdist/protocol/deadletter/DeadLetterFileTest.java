package io.logdist.protocol.deadletter;

import io.logdist.protocol.packet.PacketWriter;
import io.logdist.protocol.testing.Hex;
import io.logdist.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Writing and reading dead-letter files: bytes pinned, torn tails, corruption, concurrent writers. */
class DeadLetterFileTest {
    /** 2023-11-14T22:13:20.123456Z. */
    private static final Instant T = Instant.ofEpochSecond(1_700_000_000L, 123_456_000);
    private static final long T_MICROS = 1_700_000_000_123_456L;
    /** The golden 42-byte packet of PacketFlyweightTest: emitterId 1, sequence 2, priority 7, "hi" and "". */
    private static final String GOLDEN_PACKET = """
        c6 b1 f0 47 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 02
        00 00 00 00 05 f5 e1 00 07 00 00 02 00 00 00 02 68 69 00 00 00 00""";

    @TempDir
    Path dir;

    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void everyBufferIsReleased() {
        alloc.assertAllReleased();
    }

    private ByteBuf packet(long emitterId, long sequence, String... messages) {
        ByteBuf b = alloc.heapBuffer();
        PacketWriter w = new PacketWriter().begin(b, emitterId, sequence, 1_000, 3);
        for (String m : messages) {
            w.addMessage(m.getBytes(StandardCharsets.UTF_8));
        }
        w.finish();
        return b;
    }

    private record Read(byte[] packet, long writtenAtMicros, int reroutes, String reason) {
    }

    private static List<Read> readAll(Path file) throws IOException {
        List<Read> records = new ArrayList<>();
        long n = DeadLetterReader.read(file, (packet, at, reroutes, reason) ->
            records.add(new Read(ByteBufUtil.getBytes(packet), at, reroutes, reason)));
        assertThat(n).isEqualTo(records.size());
        return records;
    }

    private static Clock fixed(Instant t) {
        return Clock.fixed(t, ZoneOffset.UTC);
    }

    @Test
    void shouldWriteTheHeaderAndARecordByteForByte() throws IOException {
        ByteBuf packet = alloc.fromHex(GOLDEN_PACKET);
        Path file;
        try (DeadLetterWriter writer = DeadLetterWriter.open(dir, fixed(T))) {
            writer.append(packet, 5, "max retries");
            file = writer.file();
        } finally {
            packet.release();
        }

        String body = String.join(" ",
            "00 06 0a 24 18 20 22 40",                    // writtenAtMicros 1,700,000,000,123,456
            "00 05",                                      // reroutes 5
            "00 0b 6d 61 78 20 72 65 74 72 69 65 73",     // reason "max retries"
            "00 00 00 2a",                                // packetLength 42
            GOLDEN_PACKET);
        byte[] bodyBytes = Hex.decode(body);
        CRC32C crc = new CRC32C();
        crc.update(bodyBytes);
        String expected = Hex.normalize("4c 44 4c 31 00 01"      // LDL1, version 1
            + " 00 00 00 49"                                    // recordLength 73 = 4 + 8 + 2 + 2 + 11 + 4 + 42
            + String.format(" %08x ", (int) crc.getValue())
            + body);
        assertThat(T_MICROS).isEqualTo(0x00060a2418202240L);
        assertThat(Hex.of(Files.readAllBytes(file))).isEqualTo(expected);
        assertThat(file.getFileName().toString())
            .isEqualTo("dead-letter-20231114-221320-" + ProcessHandle.current().pid() + ".ldl");
    }

    @Test
    void shouldReadBackEveryPacketWithItsTimeReroutesAndReason() throws IOException {
        ByteBuf p1 = packet(1, 1, "alpha");
        ByteBuf p2 = packet(1, 2, "beta", "", "gamma");
        ByteBuf p3 = packet(9, 7, "délta");
        Path file;
        long before = DeadLetterWriter.epochMicros(Instant.now());
        try (DeadLetterWriter writer = DeadLetterWriter.open(dir.resolve("sub/dir"))) {
            int readerIndex = p2.readerIndex();
            writer.append(p1, 0, "max retries (5) exceeded");
            writer.append(p2, 70_000, "");
            writer.append(p3, 3, null);
            assertThat(writer.count()).isEqualTo(3);
            assertThat(p2.readerIndex()).as("not consumed").isEqualTo(readerIndex);
            assertThat(p2.refCnt()).as("not released").isEqualTo(1);
            file = writer.file();
        }
        long after = DeadLetterWriter.epochMicros(Instant.now());

        List<Read> records = readAll(file);

        assertThat(records).hasSize(3);
        assertThat(records.get(0).packet()).isEqualTo(ByteBufUtil.getBytes(p1));
        assertThat(records.get(1).packet()).isEqualTo(ByteBufUtil.getBytes(p2));
        assertThat(records.get(2).packet()).isEqualTo(ByteBufUtil.getBytes(p3));
        assertThat(records).extracting(Read::reroutes).containsExactly(0, 65_535, 3);
        assertThat(records).extracting(Read::reason).containsExactly("max retries (5) exceeded", "", "");
        assertThat(records).allSatisfy(r -> assertThat(r.writtenAtMicros()).isBetween(before, after));
        p1.release();
        p2.release();
        p3.release();
    }

    @Test
    void shouldForceEveryDirectoryItMadeIntoItsParent() throws IOException {
        // A directory made here is an entry in its parent: unforced, a crash can take it, and
        // the forced file (with ACKed packets) in it, away.
        java.util.List<Path> forced = new java.util.ArrayList<>();
        Path target = dir.resolve("a/b");
        try (DeadLetterWriter writer = DeadLetterWriter.open(target, java.time.Clock.systemUTC(), forced::add)) {
            assertThat(writer.file().getParent()).isEqualTo(target);
        }
        assertThat(forced).containsExactlyInAnyOrder(dir.toAbsolutePath(), dir.resolve("a").toAbsolutePath(),
            target);
    }

    @Test
    void shouldForceTheDirectoriesItCreatesBeforeAnyFileIsWritten() throws IOException {
        // The distributor makes its dead-letter directory at start; the first file may come hours later.
        java.util.List<Path> forced = new java.util.ArrayList<>();
        DeadLetterWriter.createDirectory(dir.resolve("x/y"), forced::add);
        assertThat(dir.resolve("x/y")).isDirectory();
        assertThat(forced).containsExactlyInAnyOrder(dir.toAbsolutePath(), dir.resolve("x").toAbsolutePath());
        forced.clear();
        DeadLetterWriter.createDirectory(dir.resolve("x/y"), forced::add);
        assertThat(forced).as("nothing made, nothing to force").isEmpty();
    }

    @Test
    void shouldCutAVeryLongReasonAtACharacterBoundary() throws IOException {
        ByteBuf p = packet(1, 1, "x");
        String reason = "a" + "é".repeat(40_000); // 1 + 80,000 bytes
        Path file;
        try (DeadLetterWriter writer = DeadLetterWriter.open(dir)) {
            writer.append(p, 1, reason);
            file = writer.file();
        } finally {
            p.release();
        }

        String read = readAll(file).get(0).reason();

        assertThat(read.getBytes(StandardCharsets.UTF_8)).hasSize(65_535); // "a" + 32,767 two-byte characters
        assertThat(reason).startsWith(read);
    }

    @Test
    void shouldSkipATornLastRecordWhereverItWasCut() throws IOException {
        Path file = writeThree();
        long full = Files.size(file);
        long thirdStart = recordOffsets(file).get(2);

        for (long cut = thirdStart + 1; cut < full; cut += Math.max(1, (full - thirdStart) / 7)) {
            Path copy = dir.resolve("torn-" + cut + ".ldl");
            Files.write(copy, Arrays.copyOf(Files.readAllBytes(file), (int) cut));

            assertThat(readAll(copy)).as("cut at %d", cut).hasSize(2);
        }
        Path atBoundary = dir.resolve("boundary.ldl");
        Files.write(atBoundary, Arrays.copyOf(Files.readAllBytes(file), (int) thirdStart));
        assertThat(readAll(atBoundary)).hasSize(2);
    }

    @Test
    void shouldReadNothingFromAFileTornInsideItsHeader() throws IOException {
        Path empty = dir.resolve("empty.ldl");
        Files.write(empty, new byte[0]);
        Path torn = dir.resolve("torn.ldl");
        Files.write(torn, "LDL".getBytes(StandardCharsets.US_ASCII));

        assertThat(readAll(empty)).isEmpty();
        assertThat(readAll(torn)).isEmpty();
    }

    @Test
    void shouldFailNamingTheOffsetOfARecordWhoseCrcDoesNotMatch() throws IOException {
        Path file = writeThree();
        long second = recordOffsets(file).get(1);
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) second + 30] ^= 0x01; // inside the second record's reason or packet
        Files.write(file, bytes);
        List<String> seen = new ArrayList<>();

        assertThatThrownBy(() -> DeadLetterReader.read(file, (p, at, r, reason) -> seen.add(reason)))
            .isInstanceOf(IOException.class)
            .hasMessageContaining(file.toString())
            .hasMessageContaining("record at offset " + second)
            .hasMessageContaining("fails its CRC check")
            .satisfies(e -> assertThat(e.getMessage()).as("not the last record: no truncate hint").doesNotContain("truncate"));
        assertThat(seen).containsExactly("one");
    }

    @Test
    void shouldSayHowToKeepTheGoodRecordsWhenTheLastOneIsBadAfterACrash() throws IOException {
        // A crash while appending: the file grew by a record, whose bytes never all arrived (zeros here).
        Path file = writeThree();
        long third = recordOffsets(file).get(2);
        long size = Files.size(file);
        overwrite(file, third, ByteBuffer.allocate((int) (size - third)));

        assertThatThrownBy(() -> DeadLetterReader.read(file, (p, at, r, reason) -> { }))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("record at offset " + third)
            .hasMessageContaining("truncate -s " + third + " " + file);
    }

    @Test
    void shouldFailRatherThanSkipTheRestWhenALengthFieldSaysMoreThanTheFileHolds() throws IOException {
        // Not a torn append: the record's own fields, all in the file, disagree with its length.
        // Taken for a tear, the damage would hide the third record, which was acknowledged.
        Path file = writeThree();
        long second = recordOffsets(file).get(1);
        long size = Files.size(file);
        overwrite(file, second, ByteBuffer.allocate(4).putInt(0, (int) size));
        List<String> seen = new ArrayList<>();

        assertThatThrownBy(() -> DeadLetterReader.read(file, (p, at, r, reason) -> seen.add(reason)))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("record at offset " + second)
            .hasMessageContaining("length field is damaged")
            .satisfies(e -> assertThat(e.getMessage()).as("records follow it: no truncate hint").doesNotContain("truncate"));
        assertThat(seen).containsExactly("one");
    }

    @Test
    void shouldSkipATornLastRecordWhosePacketLengthNeverArrived() throws IOException {
        // The append grew the file and wrote its length and reason; the rest is still zeros.
        Path file = writeThree();
        long third = recordOffsets(file).get(2);
        byte[] bytes = Files.readAllBytes(file);
        int packetLengthAt = (int) third + DeadLetterDescriptor.REASON_OFFSET + "three".length();
        Arrays.fill(bytes, packetLengthAt, bytes.length, (byte) 0);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 1));

        assertThat(readAll(file)).hasSize(2);
    }

    @Test
    void shouldFailOnAnImpossibleRecordLength() throws IOException {
        Path file = writeThree();
        long second = recordOffsets(file).get(1);
        overwrite(file, second, ByteBuffer.allocate(4).putInt(0, 3));

        assertThatThrownBy(() -> DeadLetterReader.read(file, (p, at, r, reason) -> { }))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("record at offset " + second);
    }

    @Test
    void shouldRefuseAFileThatIsNotADeadLetterFileOrOfAnotherVersion() throws IOException {
        Path other = dir.resolve("other.ldl");
        Files.writeString(other, "hello world");
        Path future = dir.resolve("future.ldl");
        Files.write(future, Hex.decode("4c 44 4c 31 00 02"));

        assertThatThrownBy(() -> DeadLetterReader.read(other, (p, at, r, reason) -> { }))
            .isInstanceOf(IOException.class).hasMessageContaining("not a dead-letter file");
        assertThatThrownBy(() -> DeadLetterReader.read(future, (p, at, r, reason) -> { }))
            .isInstanceOf(IOException.class).hasMessageContaining("version 2");
    }

    @Test
    void shouldKeepEveryRecordWholeWhenSeveralThreadsAppendAtOnce() throws Exception {
        int threads = 8;
        int perThread = 300;
        List<List<ByteBuf>> packets = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<ByteBuf> mine = new ArrayList<>();
            for (int i = 1; i <= perThread; i++) {
                mine.add(packet(t, i, "thread " + t, "x".repeat(i % 50)));
            }
            packets.add(mine);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Path file;
        try (DeadLetterWriter writer = DeadLetterWriter.open(dir)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<ByteBuf> mine = packets.get(t);
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (ByteBuf p : mine) {
                        writer.append(p, thread, "t" + thread);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(writer.count()).isEqualTo((long) threads * perThread);
            file = writer.file();
        } finally {
            pool.shutdownNow();
        }

        Map<Long, Long> lastSequence = new HashMap<>();
        long n = DeadLetterReader.read(file, (p, at, reroutes, reason) -> {
            long emitterId = p.getLong(p.readerIndex() + 4);
            long sequence = p.getLong(p.readerIndex() + 12);
            assertThat(reason).isEqualTo("t" + emitterId);
            assertThat(reroutes).isEqualTo((int) emitterId);
            assertThat(ByteBufUtil.getBytes(p)).isEqualTo(ByteBufUtil.getBytes(packets.get((int) emitterId).get((int) sequence - 1)));
            Long previous = lastSequence.put(emitterId, sequence);
            assertThat(sequence).as("each thread's records in its order").isEqualTo(previous == null ? 1 : previous + 1);
        });
        assertThat(n).isEqualTo((long) threads * perThread);
        assertThat(lastSequence).hasSize(threads).allSatisfy((t, last) -> assertThat(last).isEqualTo(perThread));
        packets.forEach(list -> list.forEach(ByteBuf::release));
    }

    @Test
    void shouldOpenANewFileWhenTheNameIsTaken() throws IOException {
        try (DeadLetterWriter first = DeadLetterWriter.open(dir, fixed(T));
             DeadLetterWriter second = DeadLetterWriter.open(dir, fixed(T))) {
            assertThat(second.file()).isNotEqualTo(first.file());
            assertThat(second.file().getFileName().toString()).endsWith("-" + ProcessHandle.current().pid() + "_2.ldl");
            assertThat(DeadLetterFiles.list(dir)).containsExactly(first.file(), second.file());
        }
    }

    @Test
    void shouldRefuseAppendsAfterClose() throws IOException {
        ByteBuf p = packet(1, 1, "x");
        try {
            DeadLetterWriter writer = DeadLetterWriter.open(dir);
            writer.close();
            writer.close();

            assertThatThrownBy(() -> writer.append(p, 0, "late")).isInstanceOf(IOException.class).hasMessageContaining("closed");
            assertThat(readAll(writer.file())).isEmpty();
        } finally {
            p.release();
        }
    }

    @Test
    void shouldListTheDeadLetterFilesOfADirectoryInNameOrder() throws IOException {
        Files.write(dir.resolve("dead-letter-2.ldl"), new byte[0]);
        Files.write(dir.resolve("dead-letter-1.ldl"), new byte[0]);
        Files.write(dir.resolve("notes.txt"), new byte[0]);

        assertThat(DeadLetterFiles.list(dir)).containsExactly(dir.resolve("dead-letter-1.ldl"), dir.resolve("dead-letter-2.ldl"));
        assertThat(DeadLetterFiles.list(dir.resolve("notes.txt"))).containsExactly(dir.resolve("notes.txt"));
        assertThatThrownBy(() -> DeadLetterFiles.list(dir.resolve("missing"))).isInstanceOf(NoSuchFileException.class);
    }

    /** Writes {@code bytes} over the file's bytes from {@code at} on. */
    private static void overwrite(Path file, long at, ByteBuffer bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(bytes, at);
        }
    }

    /** A file of three records with reasons "one", "two", "three". */
    private Path writeThree() throws IOException {
        ByteBuf a = packet(1, 1, "first packet");
        ByteBuf b = packet(1, 2, "second", "packet");
        ByteBuf c = packet(1, 3, "third packet, a little longer than the others");
        try (DeadLetterWriter writer = DeadLetterWriter.open(dir.resolve("three"))) {
            writer.append(a, 1, "one");
            writer.append(b, 2, "two");
            writer.append(c, 3, "three");
            return writer.file();
        } finally {
            a.release();
            b.release();
            c.release();
        }
    }

    /** Offsets of the records of {@code file}, walking the recordLength fields. */
    private static List<Long> recordOffsets(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        List<Long> offsets = new ArrayList<>();
        int offset = DeadLetterDescriptor.FILE_HEADER_LENGTH;
        while (offset < bytes.limit()) {
            offsets.add((long) offset);
            offset += 4 + bytes.getInt(offset);
        }
        return offsets;
    }
}
