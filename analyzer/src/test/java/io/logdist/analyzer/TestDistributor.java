package io.logdist.analyzer;

import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.testing.FrameModel;
import io.logdist.protocol.testing.PacketModel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain blocking-socket distributor for tests: writes frames given as {@link FrameModel}
 * values (or raw bytes, for broken ones) and reads the analyzer's answers back as
 * {@link FrameModel} values, one frame at a time. Reads time out after 10 s, so a missing
 * answer fails the test instead of hanging it. One test thread only.
 */
final class TestDistributor implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final ByteArrayOutputStream batch = new ByteArrayOutputStream();
    /** Frames read while waiting for something else (NACKs while waiting for an ACK). */
    final List<FrameModel> seen = new ArrayList<>();
    /** The analyzer's answer to {@link #handshake}. */
    FrameModel.Welcome welcome;

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

    /** Connects, sends HELLO (role 2) and keeps the WELCOME in {@link #welcome}. */
    static TestDistributor handshake(int port, long window) throws IOException {
        TestDistributor d = connect(port);
        d.frame(new FrameModel.Hello(Frames.ROLE_DISTRIBUTOR, 42, window, "test-distributor", "")).send();
        FrameModel answer = d.next();
        if (!(answer instanceof FrameModel.Welcome w)) {
            throw new AssertionError("expected WELCOME, got " + answer);
        }
        d.welcome = w;
        return d;
    }

    TestDistributor deliver(long deliveryId, PacketModel packet) {
        return frame(new FrameModel.Deliver(deliveryId, packet));
    }

    /** Appends one frame to the batch; {@link #send} writes the batch in one socket write. */
    TestDistributor frame(FrameModel frame) {
        return raw(frame.toBytes());
    }

    /** Appends bytes as they are: for frames no model writes (broken on purpose). */
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
    FrameModel next() throws IOException {
        int length = in.readInt();
        byte[] frame = new byte[FrameDescriptor.LENGTH_FIELD_SIZE + length];
        ByteBuffer.wrap(frame).putInt(length);
        in.readFully(frame, FrameDescriptor.LENGTH_FIELD_SIZE, length);
        ByteBuf b = Unpooled.wrappedBuffer(frame);
        try {
            return FrameModel.read(b);
        } finally {
            b.release();
        }
    }

    /** Reads frames until an ACK with {@code through >= id}; other frames go to {@link #seen}. */
    long awaitAck(long id) throws IOException {
        while (true) {
            FrameModel f = next();
            if (f instanceof FrameModel.Ack ack) {
                if (ack.through() >= id) {
                    return ack.through();
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
