package io.logdist.distributor.resilience;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An analyzer on plain blocking sockets that a test can misbehave: stall (stop reading
 * and ACKing while the socket stays open) or flap (WELCOME, then close at once). It
 * records every (emitterId, sequence) it received.
 */
final class ControllableAnalyzer implements AutoCloseable {
    final Set<String> received = ConcurrentHashMap.newKeySet();
    /** Arrival time (nanoTime) of every connection. */
    final List<Long> connections = new CopyOnWriteArrayList<>();
    volatile boolean stalled;
    volatile boolean flap;
    /** Time spent on each DELIVER before it is ACKed: makes this analyzer the bottleneck. */
    volatile long perDeliverNanos;
    /** Refuse every DELIVER with NACK (code 5), then ACK past it. */
    volatile boolean refuseAll;
    private final ServerSocket server;
    /** The open connections, oldest first: each leaves the list when it ends. */
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    ControllableAnalyzer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "controllable-analyzer");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                connections.add(System.nanoTime());
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "controllable-analyzer-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] hello = readFrame(in);
            if (hello == null) {
                return;
            }
            byte[] name = "controllable".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            writeFrame(out, 0x02, ByteBuffer.allocate(18 + name.length).putInt(1024).putInt(1 << 20).putLong(0)
                .putShort((short) name.length).put(name).array());
            if (flap) {
                return;
            }
            while (true) {
                while (stalled) {
                    Thread.sleep(5);
                }
                byte[] f = readFrame(in);
                if (f == null) {
                    return;
                }
                int type = f[1];
                ByteBuffer body = ByteBuffer.wrap(f, 4, f.length - 4);
                if (type == 0x04) {
                    if (perDeliverNanos > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(perDeliverNanos);
                    }
                    long deliveryId = body.getLong();
                    long emitterId = body.getLong(body.position() + 4);
                    long sequence = body.getLong(body.position() + 12);
                    if (refuseAll) {
                        byte[] reason = "refused by test".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                        writeFrame(out, 0x06, ByteBuffer.allocate(16 + reason.length).putLong(deliveryId).putShort((short) 5)
                            .putInt(0).putShort((short) reason.length).put(reason).array());
                    } else {
                        received.add(emitterId + "/" + sequence);
                    }
                    writeFrame(out, 0x05, ByteBuffer.allocate(8).putLong(deliveryId).array());
                } else if (type == 0x07) {
                    writeFrame(out, 0x08, ByteBuffer.allocate(8).putLong(body.getLong()).array());
                }
            }
        } catch (IOException | InterruptedException e) {
            // closed
        } finally {
            sockets.remove(s);
        }
    }

    /** Reads one frame: returns version, type, flags and body (without the length), or null at end of stream. */
    private static byte[] readFrame(DataInputStream in) throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (java.io.EOFException e) {
            return null;
        }
        byte[] f = new byte[length];
        in.readFully(f);
        return f;
    }

    private static void writeFrame(DataOutputStream out, int type, byte[] body) throws IOException {
        out.writeInt(4 + body.length);
        out.writeByte(1);
        out.writeByte(type);
        out.writeShort(0);
        out.write(body);
        out.flush();
    }

    /** Closes the oldest open connection now, leaving the others up. */
    void dropOneConnection() throws IOException {
        Socket s = sockets.remove(0);
        s.close();
    }

    /** Closes every connection now (a crash). */
    void dropConnections() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        sockets.clear();
    }

    @Override
    public void close() throws IOException {
        stalled = false;
        server.close();
        dropConnections();
    }
}
