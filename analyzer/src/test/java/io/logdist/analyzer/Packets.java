package io.logdist.analyzer;

import io.logdist.protocol.testing.FrameModel;
import io.logdist.protocol.testing.PacketModel;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Packets for tests as {@link PacketModel} values, and the one DELIVER no model can make: a bad CRC. */
final class Packets {
    private static final long TIMESTAMP_MICROS = 1_700_000_000_000_000L;

    private Packets() {
    }

    /** A packet of UTF-8 messages; with none it is malformed (count 0) but its CRC is right. */
    static PacketModel packet(long emitterId, long sequence, int priority, String... messages) {
        List<byte[]> bytes = Arrays.stream(messages).map(m -> m.getBytes(StandardCharsets.UTF_8)).toList();
        return new PacketModel(emitterId, sequence, TIMESTAMP_MICROS, priority, bytes);
    }

    /**
     * The bytes of a DELIVER of {@code packet} whose CRC no longer matches: the model always
     * writes a right CRC, so this flips the frame's last byte, which is the packet's last
     * payload byte and covered by the CRC. The frame around it stays well formed.
     */
    static byte[] deliverWithBadCrc(long deliveryId, PacketModel packet) {
        byte[] frame = new FrameModel.Deliver(deliveryId, packet).toBytes();
        frame[frame.length - 1] ^= 0x5A;
        return frame;
    }

    static long payloadBytes(String... messages) {
        long n = 0;
        for (String m : messages) {
            n += m.getBytes(StandardCharsets.UTF_8).length;
        }
        return n;
    }
}
