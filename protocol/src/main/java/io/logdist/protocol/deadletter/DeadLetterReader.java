package io.logdist.protocol.deadletter;

import io.logdist.protocol.packet.Crc32c;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads dead-letter files ({@link DeadLetterDescriptor}) written by
 * {@link DeadLetterWriter}.
 *
 * <p>A record cut short at the end of the file (a write torn by a crash, or one still
 * being written while this reads) is skipped: the writer forces a record to disk before
 * the distributor ACKs its packet, so a torn record was never acknowledged. It counts as
 * cut short only when the lengths inside it that did arrive agree with its length field;
 * otherwise that field is damaged, and skipping would hide the records after it. A whole
 * record whose CRC does not match, or whose fields do not add up to its length, is
 * corruption: the read stops with an {@link IOException} naming the file and the
 * record's offset.
 *
 * <p>Stateless; any thread. The visitor runs on the calling thread.
 */
public final class DeadLetterReader {
    private static final int INITIAL_BUFFER_BYTES = 64 * 1024;

    private DeadLetterReader() {
    }

    /**
     * Calls {@code visitor} for every whole record of {@code file}, in file order.
     *
     * @return the number of records read
     * @throws IOException when the file cannot be read, is not a dead-letter file, has a
     *                     version this build does not read, or holds a corrupt record
     */
    public static long read(Path file, DeadLetterVisitor visitor) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (!readHeader(file, channel, size)) {
                return 0;
            }
            ByteBuf record = Unpooled.buffer(INITIAL_BUFFER_BYTES);
            try {
                return readRecords(file, channel, size, record, visitor);
            } finally {
                record.release();
            }
        }
    }

    /** Checks magic and version; false when the file is too short to hold even the header (a torn start). */
    private static boolean readHeader(Path file, FileChannel channel, long size) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(DeadLetterDescriptor.FILE_HEADER_LENGTH);
        int n = readFully(channel, header, 0);
        int magicBytes = Math.min(n, DeadLetterDescriptor.MAGIC.length);
        for (int i = 0; i < magicBytes; i++) {
            if (header.get(i) != DeadLetterDescriptor.MAGIC[i]) {
                throw new IOException(file + " is not a dead-letter file (it does not start with LDL1)");
            }
        }
        if (n < DeadLetterDescriptor.FILE_HEADER_LENGTH) {
            return false;
        }
        int version = Short.toUnsignedInt(header.getShort(DeadLetterDescriptor.VERSION_OFFSET));
        if (version != DeadLetterDescriptor.VERSION) {
            throw new IOException("dead-letter file " + file + " has version " + version + "; this build reads version "
                + DeadLetterDescriptor.VERSION);
        }
        return true;
    }

    private static long readRecords(Path file, FileChannel channel, long size, ByteBuf record, DeadLetterVisitor visitor)
        throws IOException {
        Crc32c crc = new Crc32c();
        long offset = DeadLetterDescriptor.FILE_HEADER_LENGTH;
        long records = 0;
        while (size - offset >= DeadLetterDescriptor.RECORD_LENGTH_FIELD_SIZE) {
            record.clear();
            if (readInto(channel, record, offset, DeadLetterDescriptor.RECORD_LENGTH_FIELD_SIZE)
                < DeadLetterDescriptor.RECORD_LENGTH_FIELD_SIZE) {
                break; // the file shrank under us: nothing more to read
            }
            long recordLength = record.getUnsignedInt(DeadLetterDescriptor.RECORD_LENGTH_OFFSET);
            long total = DeadLetterDescriptor.RECORD_LENGTH_FIELD_SIZE + recordLength;
            if (total > size - offset) {
                String damage = damagedLength(channel, offset, size, total);
                if (damage != null) {
                    throw corrupt(file, offset, "has recordLength " + recordLength + ", more than the " + (size - offset)
                        + " bytes left in the file, but " + damage + ": its length field is damaged, and the records"
                        + " after it are not read");
                }
                break; // torn: the rest of this record never reached the file
            }
            if (recordLength < DeadLetterDescriptor.MIN_RECORD_LENGTH || total > Integer.MAX_VALUE - 8) {
                boolean last = total == size - offset || zerosToEnd(channel, offset, size);
                throw corrupt(file, offset, "has an impossible recordLength " + recordLength + (last ? truncateHint(file, offset) : ""));
            }
            int rest = (int) recordLength;
            record.ensureWritable(rest);
            if (readInto(channel, record, offset + DeadLetterDescriptor.RECORD_LENGTH_FIELD_SIZE, rest) < rest) {
                break;
            }
            int expected = record.getInt(DeadLetterDescriptor.CRC_OFFSET);
            int actual = crc.compute(record, DeadLetterDescriptor.CRC_COVERED_OFFSET,
                (int) total - DeadLetterDescriptor.CRC_COVERED_OFFSET);
            if (expected != actual) {
                throw corrupt(file, offset, String.format("fails its CRC check (stored %08x, computed %08x)",
                    expected, actual) + (offset + total == size ? truncateHint(file, offset) : ""));
            }
            int reasonLength = record.getUnsignedShort(DeadLetterDescriptor.REASON_LENGTH_OFFSET);
            int packetLengthIndex = DeadLetterDescriptor.REASON_OFFSET + reasonLength;
            if (packetLengthIndex + DeadLetterDescriptor.PACKET_LENGTH_FIELD_SIZE > total) {
                throw corrupt(file, offset, "has a reason running past its end");
            }
            long packetLength = record.getUnsignedInt(packetLengthIndex);
            int packetIndex = packetLengthIndex + DeadLetterDescriptor.PACKET_LENGTH_FIELD_SIZE;
            if (packetIndex + packetLength != total) {
                throw corrupt(file, offset, "has a packetLength " + packetLength + " that does not fill it");
            }
            visitor.onPacket(record.slice(packetIndex, (int) packetLength),
                record.getLong(DeadLetterDescriptor.WRITTEN_AT_MICROS_OFFSET),
                record.getUnsignedShort(DeadLetterDescriptor.REROUTES_OFFSET),
                record.toString(DeadLetterDescriptor.REASON_OFFSET, reasonLength, StandardCharsets.UTF_8));
            records++;
            offset += total;
        }
        return records;
    }

    /**
     * Tells a torn last append from a damaged length field, for a record that runs past the
     * end of the file: null when what did arrive agrees with its length, or is zeros from
     * where it stops agreeing (a file grown by an append whose bytes never all arrived);
     * otherwise what disagrees. A record in the middle of the file is whole whatever its
     * length field says, so its reason and packet lengths are there to check.
     */
    private static String damagedLength(FileChannel channel, long offset, long size, long total) throws IOException {
        int present = (int) Math.min(size - offset,
            DeadLetterDescriptor.REASON_OFFSET + DeadLetterDescriptor.MAX_REASON_BYTES + DeadLetterDescriptor.PACKET_LENGTH_FIELD_SIZE);
        if (present < DeadLetterDescriptor.REASON_OFFSET) {
            return null; // shorter than any whole record: only a tear leaves this
        }
        ByteBuffer head = ByteBuffer.allocate(present);
        readFully(channel, head, offset);
        int reasonLength = Short.toUnsignedInt(head.getShort(DeadLetterDescriptor.REASON_LENGTH_OFFSET));
        int packetLengthIndex = DeadLetterDescriptor.REASON_OFFSET + reasonLength;
        if (packetLengthIndex + DeadLetterDescriptor.PACKET_LENGTH_FIELD_SIZE > total) {
            return zerosToEnd(channel, offset + DeadLetterDescriptor.REASON_LENGTH_OFFSET, size) ? null
                : "its reason of " + reasonLength + " bytes does not fit in it";
        }
        if (present < packetLengthIndex + DeadLetterDescriptor.PACKET_LENGTH_FIELD_SIZE) {
            return null;
        }
        long packetLength = Integer.toUnsignedLong(head.getInt(packetLengthIndex));
        long wholeLength = packetLengthIndex + DeadLetterDescriptor.PACKET_LENGTH_FIELD_SIZE + packetLength;
        if (wholeLength != total) {
            return zerosToEnd(channel, offset + packetLengthIndex, size) ? null
                : "its reason and packet lengths make it " + wholeLength + " bytes long";
        }
        return null;
    }

    /**
     * Added to the error for a bad record that ends the file, or that only zero bytes follow:
     * what a crash while it was being written leaves (the file grown, its bytes not all
     * written). Such a record was never forced, so never acknowledged; the reader still
     * refuses it, since a damaged acknowledged record looks the same.
     */
    private static String truncateHint(Path file, long offset) {
        return "; it is the file's last record: if the machine stopped while it was written, it was never"
            + " acknowledged, and 'truncate -s " + offset + " " + file + "' keeps the records before it";
    }

    /** True when every byte from {@code offset} to the end of the file is zero. */
    private static boolean zerosToEnd(FileChannel channel, long offset, long size) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(INITIAL_BUFFER_BYTES, Math.max(0, size - offset)));
        for (long at = offset; at < size; ) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), size - at));
            int n = readFully(channel, chunk, at);
            if (n == 0) {
                return true; // the file shrank under us
            }
            for (int i = 0; i < n; i++) {
                if (chunk.get(i) != 0) {
                    return false;
                }
            }
            at += n;
        }
        return true;
    }

    private static IOException corrupt(Path file, long offset, String what) {
        return new IOException("dead-letter file " + file + " is corrupt: the record at offset " + offset + " " + what);
    }

    /** Appends up to {@code length} bytes from {@code position} to {@code buf}; fewer only at the end of the file. */
    private static int readInto(FileChannel channel, ByteBuf buf, long position, int length) throws IOException {
        int read = 0;
        while (read < length) {
            int n = buf.writeBytes(channel, position + read, length - read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        return read;
    }

    private static int readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        int read = 0;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position + read);
            if (n < 0) {
                break;
            }
            read += n;
        }
        return read;
    }
}
