package io.logdist.protocol.deadletter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A damaged {@code recordLength} anywhere but in the last record is never read as a torn
 * tail: the read fails at that record instead of quietly ending there, which would hide
 * the acknowledged records after it.
 */
class DeadLetterProperties {
    private static Path dir;
    /** Three records with reasons "one", "two", "three", and where each starts. */
    private static byte[] file;
    private static int[] offsets;

    @BeforeContainer
    static void writeThree() throws IOException {
        dir = Files.createTempDirectory("dead-letter-properties");
        try (DeadLetterWriter writer = DeadLetterWriter.open(dir)) {
            for (String reason : List.of("one", "two", "three")) {
                ByteBuf packet = Unpooled.copiedBuffer("packet " + reason.repeat(20), StandardCharsets.UTF_8);
                writer.append(packet, 1, reason);
                packet.release();
            }
            file = Files.readAllBytes(writer.file());
        }
        ByteBuffer bytes = ByteBuffer.wrap(file);
        offsets = new int[3];
        int offset = DeadLetterDescriptor.FILE_HEADER_LENGTH;
        for (int i = 0; i < 3; i++) {
            offsets[i] = offset;
            offset += DeadLetterDescriptor.RECORD_LENGTH_FIELD_SIZE + bytes.getInt(offset);
        }
    }

    @AfterContainer
    static void removeFiles() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Property
    void shouldFailAtARecordWhoseLengthFieldIsDamaged(@ForAll @IntRange(min = 0, max = 1) int record,
                                                      @ForAll int recordLength) throws IOException {
        ByteBuffer damaged = ByteBuffer.wrap(file.clone());
        int original = damaged.getInt(offsets[record]);
        if (recordLength == original) {
            return;
        }
        damaged.putInt(offsets[record], recordLength);
        Path copy = Files.createTempFile(dir, "damaged", DeadLetterDescriptor.FILE_SUFFIX);
        Files.write(copy, damaged.array());
        List<String> seen = new ArrayList<>();

        assertThatThrownBy(() -> DeadLetterReader.read(copy, (p, at, r, reason) -> seen.add(reason)))
            .isInstanceOf(IOException.class)
            .hasMessageContaining("record at offset " + offsets[record]);
        assertThat(seen).hasSize(record);
        Files.delete(copy);
    }
}
