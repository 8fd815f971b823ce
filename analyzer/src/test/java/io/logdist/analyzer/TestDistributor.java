package io.logdist.analyzer;

import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.FrameType;
import io.logdist.protocol.codec.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A plain blocking-socket distributor for tests: writes frames built with {@link Frames}
 * and reads the analyzer's answers one frame at a time. Reads time out after 10 s, so a
 * missing answer fails the test instead of hanging it. One test thread only.
 */
final class TestDistributor implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final ByteArrayOutputStream batch = new ByteArrayOutputStream();
    /** Frames read while waiting for something else (NACKs while waiting for an ACK). */
    final List<Frame> seen = new ArrayList<>();

    private TestDistributor(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    static TestDistributor connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        return new TestDistributor(socket);
    }

    /** Connects, sends HELLO (role 2) and returns the WELCOME. */
    static TestDistributor handshake(int port, long window) throws IOException {
        TestDistributor d = connect(port);
        d.hello(window).send();
        Frame welcome = d.next();
        if (welcome.type() != FrameType.WELCOME) {
            throw new AssertionError("expected WELCOME, got " + welcome.type());
        }
        d.welcome = welcome.read(FrameReader::welcome);
        return d;
    }

    FrameReader.Welcome welcome;

    /** One frame read from the analyzer. */
    record Frame(FrameType type, byte[] bytes) {
        <T> T read(java.util.function.Function<ByteBuf, T> reader) {
            ByteBuf b = Unpooled.wrappedBuffer(bytes);
            try {
                return reader.apply(b);
            } finally {
                b.release();
            }
        }

        long u64() {
            return read(FrameReader::u64Body);
        }
    }

    TestDistributor hello(long window) {
        return frame(b -> Frames.writeHello(b, Frames.ROLE_DISTRIBUTOR, 42, window, "test-distributor", ""));
    }

    TestDistributor deliver(long deliveryId, byte[] packet) {
        return frame(b -> {
            Frames.writeDeliverHeader(b, deliveryId, packet.length);
            b.writeBytes(packet);
        });
    }

    /** Appends one frame to the batch; {@link #send} writes the batch in one socket write. */
    TestDistributor frame(Consumer<ByteBuf> writer) {
        ByteBuf b = Unpooled.buffer();
        try {
            writer.accept(b);
            batch.writeBytes(ByteBufUtil.getBytes(b));
        } finally {
            b.release();
        }
        return this;
    }

    TestDistributor raw(byte[] bytes) {
        batch.writeBytes(bytes);
        return this;
    }

    void send() throws IOException {
        out.write(batch.toByteArray());
        out.flush();
        batch.reset();
    }

    /** Reads the next frame; throws {@link EOFException} when the analyzer closed the connection. */
    Frame next() throws IOException {
        int length = in.readInt();
        byte[] frame = new byte[FrameDescriptor.LENGTH_FIELD_SIZE + length];
        frame[0] = (byte) (length >>> 24);
        frame[1] = (byte) (length >>> 16);
        frame[2] = (byte) (length >>> 8);
        frame[3] = (byte) length;
        in.readFully(frame, FrameDescriptor.LENGTH_FIELD_SIZE, length);
        return new Frame(FrameType.of(frame[FrameDescriptor.TYPE_OFFSET] & 0xFF), frame);
    }

    /** Reads frames until an ACK with {@code through >= id}; other frames go to {@link #seen}. */
    long awaitAck(long id) throws IOException {
        while (true) {
            Frame f = next();
            if (f.type() == FrameType.ACK) {
                long through = f.u64();
                if (through >= id) {
                    return through;
                }
            } else {
                seen.add(f);
            }
        }
    }

    /** True when the analyzer closed the connection (end of stream) before the read timeout. */
    boolean closedByPeer() throws IOException {
        try {
            while (true) {
                seen.add(next());
            }
        } catch (EOFException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // A reset is a close too.
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
