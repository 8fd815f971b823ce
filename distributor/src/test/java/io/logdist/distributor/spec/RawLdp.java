package io.logdist.distributor.spec;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * LDP/1 written from ../shared/protocol-v1.md alone, on blocking java.io streams, with no
 * code from the project's codec: tests talk to the distributor through this to check it
 * works with any client written from the spec.
 */
final class RawLdp {
    static final int HELLO = 0x01;
    static final int WELCOME = 0x02;
    static final int PACKET = 0x03;
    static final int DELIVER = 0x04;
    static final int ACK = 0x05;
    static final int NACK = 0x06;
    static final int PING = 0x07;
    static final int PONG = 0x08;
    static final int ERROR = 0x09;
    static final int GOODBYE = 0x0A;

    private RawLdp() {
    }

    /** A frame as read off the wire. */
    record Frame(int version, int type, int flags, byte[] body) {
        DataInputStream in() {
            return new DataInputStream(new java.io.ByteArrayInputStream(body));
        }

        long u64At(int offset) {
            return ByteBuffer.wrap(body).getLong(offset);
        }

        int u16At(int offset) {
            return ByteBuffer.wrap(body).getShort(offset) & 0xFFFF;
        }
    }

    static void writeFrame(OutputStream os, int type, byte[] body) throws IOException {
        DataOutputStream out = new DataOutputStream(os);
        out.writeInt(4 + body.length);
        out.writeByte(1);
        out.writeByte(type);
        out.writeShort(0);
        out.write(body);
        out.flush();
    }

    /** Reads one frame, or returns null at end of stream. */
    static Frame readFrame(InputStream is) throws IOException {
        DataInputStream in = new DataInputStream(is);
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        long length = ((long) b0 << 24) | ((long) in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int version = in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedShort();
        byte[] body = new byte[(int) length - 4];
        in.readFully(body);
        return new Frame(version, type, flags, body);
    }

    static byte[] str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + b.length).putShort((short) b.length).put(b).array();
    }

    static String readStr(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readUnsignedShort()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] hello(int role, long id, int window, String name, String token) {
        byte[] n = str(name);
        byte[] t = str(token);
        return ByteBuffer.allocate(1 + 8 + 4 + n.length + t.length).put((byte) role).putLong(id).putInt(window).put(n).put(t).array();
    }

    static byte[] welcome(int window, int maxFrameLength, long ackedThrough, String serverName) {
        byte[] n = str(serverName);
        return ByteBuffer.allocate(4 + 4 + 8 + n.length).putInt(window).putInt(maxFrameLength).putLong(ackedThrough).put(n).array();
    }

    static byte[] error(int code, String reason) {
        byte[] r = str(reason);
        return ByteBuffer.allocate(2 + r.length).putShort((short) code).put(r).array();
    }

    static byte[] nack(long id, int code, int retryAfterMillis, String reason) {
        byte[] r = str(reason);
        return ByteBuffer.allocate(8 + 2 + 4 + r.length).putLong(id).putShort((short) code).putInt(retryAfterMillis).put(r).array();
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    /** A well-formed packet of the given messages. */
    static byte[] packet(long emitterId, long sequence, int priority, String... messages) {
        int size = 32;
        for (String m : messages) {
            size += 4 + m.getBytes(StandardCharsets.UTF_8).length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(0).putLong(emitterId).putLong(sequence).putLong(System.currentTimeMillis() * 1000).put((byte) priority).put((byte) 0)
            .putShort((short) messages.length);
        for (String m : messages) {
            byte[] mb = m.getBytes(StandardCharsets.UTF_8);
            b.putInt(mb.length).put(mb);
        }
        byte[] a = b.array();
        CRC32C crc = new CRC32C();
        crc.update(a, 4, a.length - 4);
        ByteBuffer.wrap(a).putInt(0, (int) crc.getValue());
        return a;
    }

    static boolean crcMatches(byte[] packet) {
        CRC32C crc = new CRC32C();
        crc.update(packet, 4, packet.length - 4);
        return ByteBuffer.wrap(packet).getInt(0) == (int) crc.getValue();
    }
}
