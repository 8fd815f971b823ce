package io.logdist.analyzer.record;

import io.logdist.protocol.testing.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

class RecordFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldWriteEntriesInTheDocumentedLayout() throws Exception {
        Path file = dir.resolve("r.rec");
        try (RecordAppender appender = RecordAppender.open(file)) {
            appender.append(0x0102030405060708L, 9, 0xFFFFFFFFL, 0x1122334455667788L);
        }

        // emitterId, sequence, count, receivedAtMicros
        assertThat(Hex.of(Files.readAllBytes(file)))
            .isEqualTo(Hex.normalize("0102030405060708 0000000000000009 ffffffff 1122334455667788"));
        assertThat(RecordFile.readAll(file)).containsExactly(
            new RecordFile.Entry(0x0102030405060708L, 9, 0xFFFFFFFFL, 0x1122334455667788L));
    }

    @Test
    void shouldReadBackManyEntriesInOrder() throws Exception {
        Path file = dir.resolve("r.rec");
        int n = 100_000;
        try (RecordAppender appender = RecordAppender.open(file)) {
            for (int i = 0; i < n; i++) {
                appender.append(i % 7, i, i % 100 + 1, 1_000_000L + i);
            }
        }
        long[] expected = {0};
        long read = RecordFile.read(file, (emitterId, sequence, count, at) -> {
            long i = expected[0]++;
            assertThat(emitterId).isEqualTo(i % 7);
            assertThat(sequence).isEqualTo(i);
            assertThat(count).isEqualTo(i % 100 + 1);
            assertThat(at).isEqualTo(1_000_000L + i);
        });

        assertThat(read).isEqualTo(n);
        assertThat(Files.size(file)).isEqualTo((long) n * RecordDescriptor.RECORD_LENGTH);
    }

    @Test
    void shouldSkipATornLastEntryAndCutItOffWhenReopened() throws Exception {
        Path file = dir.resolve("r.rec");
        try (RecordAppender appender = RecordAppender.open(file)) {
            appender.append(1, 1, 1, 10);
        }
        Files.write(file, new byte[] {1, 2, 3, 4, 5}, StandardOpenOption.APPEND);
        assertThat(RecordFile.readAll(file)).extracting(RecordFile.Entry::sequence).containsExactly(1L);

        try (RecordAppender appender = RecordAppender.open(file)) {
            appender.append(1, 2, 1, 20);
        }

        assertThat(RecordFile.readAll(file)).extracting(RecordFile.Entry::sequence).containsExactly(1L, 2L);
    }
}
