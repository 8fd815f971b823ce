package io.logdist.analyzer;

import io.logdist.protocol.packet.PacketDescriptor;
import io.logdist.protocol.packet.PacketWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/** Builds packet bytes for tests with {@link PacketWriter}. */
final class Packets {
    private Packets() {
    }

    static byte[] packet(long emitterId, long sequence, int priority, String... messages) {
        ByteBuf b = Unpooled.buffer();
        try {
            PacketWriter w = new PacketWriter().begin(b, emitterId, sequence, 1_700_000_000_000_000L, priority);
            for (String m : messages) {
                w.addMessage(m.getBytes(StandardCharsets.UTF_8));
            }
            w.finish();
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /** The same packet with one payload byte flipped, so its CRC no longer matches. */
    static byte[] withBadCrc(byte[] packet) {
        byte[] copy = packet.clone();
        copy[copy.length - 1] ^= 0x5A;
        return copy;
    }

    /** A packet with no messages: its CRC is right, but count 0 makes it malformed. */
    static byte[] empty(long emitterId, long sequence) {
        byte[] p = packet(emitterId, sequence, 0);
        assert p.length == PacketDescriptor.HEADER_LENGTH;
        return p;
    }

    static long payloadBytes(String... messages) {
        long n = 0;
        for (String m : messages) {
            n += m.getBytes(StandardCharsets.UTF_8).length;
        }
        return n;
    }
}
