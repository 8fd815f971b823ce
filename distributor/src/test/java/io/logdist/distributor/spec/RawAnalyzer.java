package io.logdist.distributor.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An analyzer written from the spec alone on a blocking socket: answers HELLO with
 * WELCOME, checks each DELIVER's CRC, records (emitterId, sequence) and ACKs each one.
 */
final class RawAnalyzer implements AutoCloseable {
    final Set<String> received = ConcurrentHashMap.newKeySet();
    final AtomicInteger badCrc = new AtomicInteger();
    final AtomicInteger helloRole = new AtomicInteger(-1);
    /** Frames longer than the maxFrameLength this analyzer announced: each got ERROR 3 and a close. */
    final AtomicInteger tooLong = new AtomicInteger();
    /** The code of the last ERROR the distributor sent, or -1. */
    final AtomicInteger errorReceived = new AtomicInteger(-1);
    /** When each DELIVER was read ({@link System#nanoTime()}), accepted or not. */
    final List<Long> deliveredAtNanos = new CopyOnWriteArrayList<>();
    /** While above 0, each DELIVER is refused, NACK OVERLOADED with {@link #nackRetryAfterMillis}, then ACKed. */
    final AtomicInteger nacksLeft = new AtomicInteger();
    volatile int nackRetryAfterMillis;
    private final int maxFrameLength;
    private final int window;
    private final ServerSocket server;
    private final Thread thread;

    RawAnalyzer() throws IOException {
        this(1 << 20);
    }

    RawAnalyzer(int maxFrameLength) throws IOException {
        this(maxFrameLength, 64);
    }

    RawAnalyzer(int maxFrameLength, int window) throws IOException {
        this.maxFrameLength = maxFrameLength;
        this.window = window;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "raw-analyzer");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Accepts connections and serves each on a thread of its own: a distributor holds one per event loop. */
    private void serve() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "raw-analyzer-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                // server closed
            }
        }
    }

    private void serve(Socket socket) {
        try (Socket s = socket) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            RawLdp.Frame hello = RawLdp.readFrame(in);
            if (hello == null || hello.type() != RawLdp.HELLO) {
                return;
            }
            helloRole.set(hello.body()[0]);
            RawLdp.writeFrame(out, RawLdp.WELCOME, RawLdp.welcome(window, maxFrameLength, 0, "raw-analyzer"));
            RawLdp.Frame f;
            while ((f = RawLdp.readFrame(in)) != null) {
                if (4 + f.body().length > maxFrameLength) {
                    tooLong.incrementAndGet();
                    RawLdp.writeFrame(out, RawLdp.ERROR, RawLdp.error(3, "frame too large"));
                    return;
                }
                if (f.type() == RawLdp.DELIVER) {
                    long deliveryId = f.u64At(0);
                    deliveredAtNanos.add(System.nanoTime());
                    if (nacksLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        RawLdp.writeFrame(out, RawLdp.NACK, RawLdp.nack(deliveryId, 8, nackRetryAfterMillis, "overloaded"));
                        RawLdp.writeFrame(out, RawLdp.ACK, RawLdp.u64(deliveryId));
                        continue;
                    }
                    byte[] packet = Arrays.copyOfRange(f.body(), 8, f.body().length);
                    if (!RawLdp.crcMatches(packet)) {
                        badCrc.incrementAndGet();
                    }
                    ByteBuffer p = ByteBuffer.wrap(packet);
                    received.add(p.getLong(4) + "/" + p.getLong(12));
                    RawLdp.writeFrame(out, RawLdp.ACK, RawLdp.u64(deliveryId));
                } else if (f.type() == RawLdp.ERROR) {
                    errorReceived.set(f.u16At(0));
                } else if (f.type() == RawLdp.PING) {
                    RawLdp.writeFrame(out, RawLdp.PONG, f.body());
                }
            }
        } catch (IOException e) {
            // connection or server closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
