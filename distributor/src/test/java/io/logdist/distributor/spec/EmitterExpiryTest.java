package io.logdist.distributor.spec;

import io.logdist.distributor.Distributor;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.protocol.cli.HostPort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The table of emitters the distributor remembers is bounded: an emitter that left is
 * forgotten after the expiry (WELCOME's ackedThrough starts again from 0), one that is
 * connected, or left only just now, is not.
 */
class EmitterExpiryTest {
    private static final Duration EXPIRY = Duration.ofMillis(300);

    private RawAnalyzer analyzer;
    private Distributor distributor;

    @BeforeEach
    void start() throws Exception {
        analyzer = new RawAnalyzer();
        distributor = Distributor.start(DistributorConfig.builder()
            .listen(new HostPort("127.0.0.1", 0))
            .analyzers(List.of(new AnalyzerSpec("raw", new HostPort("127.0.0.1", analyzer.port()), 1.0)))
            .threads(2)
            .emitterExpiry(EXPIRY)
            .build());
        await().atMost(Duration.ofSeconds(10)).until(() -> distributor.links().get(0).allConnectionsUp());
    }

    @AfterEach
    void stop() throws Exception {
        distributor.close();
        analyzer.close();
    }

    @Test
    void shouldForgetAnEmitterThatLeftLongerThanTheExpiryAgo() throws Exception {
        sendFiveAndLeave(31);
        await().atMost(Duration.ofSeconds(5)).until(() -> distributor.rememberedEmitters() == 0);

        try (Socket s = connect()) {
            assertThat(handshake(s, 31).u64At(8)).as("ackedThrough of a forgotten emitter").isZero();
        }
    }

    @Test
    void shouldRememberAConnectedEmitterAndOneThatJustLeft() throws Exception {
        try (Socket s = connect()) {
            handshake(s, 32);
            sendFive(s, 32);
            // Another emitter that leaves after 32 connected: once it is forgotten, a sweep has
            // run more than the expiry after 32 connected, and 32 must still be there.
            sendFiveAndLeave(33);
            await().atMost(Duration.ofSeconds(5)).until(() -> distributor.rememberedEmitters() == 1);
        }
        try (Socket s = connect()) {
            assertThat(handshake(s, 32).u64At(8)).as("ackedThrough right after a reconnect").isEqualTo(5);
        }
    }

    private void sendFiveAndLeave(long emitterId) throws Exception {
        try (Socket s = connect()) {
            handshake(s, emitterId);
            sendFive(s, emitterId);
        }
    }

    private static void sendFive(Socket s, long emitterId) throws Exception {
        for (int seq = 1; seq <= 5; seq++) {
            RawLdp.writeFrame(s.getOutputStream(), RawLdp.PACKET, RawLdp.packet(emitterId, seq, 0, "m" + seq));
        }
        readUntilAck(s.getInputStream(), 5);
    }

    private Socket connect() throws Exception {
        Socket s = new Socket("127.0.0.1", distributor.emitterAddress().getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    private static RawLdp.Frame handshake(Socket s, long emitterId) throws Exception {
        RawLdp.writeFrame(s.getOutputStream(), RawLdp.HELLO, RawLdp.hello(1, emitterId, 64, "raw-emitter", ""));
        RawLdp.Frame welcome = RawLdp.readFrame(s.getInputStream());
        assertThat(welcome.type()).isEqualTo(RawLdp.WELCOME);
        return welcome;
    }

    private static void readUntilAck(InputStream in, long through) throws Exception {
        while (true) {
            RawLdp.Frame f = RawLdp.readFrame(in);
            assertThat(f).as("connection closed before ACK %d", through).isNotNull();
            if (f.type() == RawLdp.ACK && f.u64At(0) >= through) {
                return;
            }
        }
    }
}
