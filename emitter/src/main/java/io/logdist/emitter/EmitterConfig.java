package io.logdist.emitter;

import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.packet.PacketDescriptor;
import io.netty.buffer.ByteBufUtil;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

import static io.logdist.protocol.cli.InvalidSettingException.check;

/**
 * Everything one emitter run needs. This is the one place settings are validated: the
 * constructor throws {@link IllegalArgumentException} naming the setting and its value
 * ({@code messagesPerPacket=0 must be 1..65535}); the command line only fills it in.
 *
 * <p>Immutable; any thread.
 *
 * @param distributor       where to dial
 * @param ratePerSecond     messages per second over all connections; 0 = as fast as the window allows
 * @param duration          how long to make new packets; {@link Duration#ZERO} = until the source ends
 * @param messagesPerPacket messages per packet (fewer when a frame could not hold them)
 * @param messageBytes      size of each generated message
 * @param connections       connections, each its own emitter with its own emitterId
 * @param priority          how packets get their priority
 * @param file              log lines to ship instead of generated messages; {@code null} = generate,
 *                          {@code Path.of("-")} = standard input
 * @param window            packets asked for in HELLO as the window (the distributor may grant fewer)
 * @param emitterIdBase     emitterId of the first connection; connection i uses base + i
 * @param name              name sent in HELLO
 * @param drainTimeout      how long to wait for ACKs after the last new packet
 * @param reportFile        where to write the JSON report at the end; {@code null} = nowhere
 * @param maxPackets        new packets to make over all connections; 0 = unlimited
 * @param quiet             no progress line every second
 * @param replay            dead-letter files (or directories of them) whose packets to send again instead
 *                          of generated messages; empty = none
 */
public record EmitterConfig(
    HostPort distributor,
    long ratePerSecond,
    Duration duration,
    int messagesPerPacket,
    int messageBytes,
    int connections,
    PrioritySpec priority,
    Path file,
    int window,
    long emitterIdBase,
    String name,
    Duration drainTimeout,
    Path reportFile,
    long maxPackets,
    boolean quiet,
    List<Path> replay) {

    public static final long DEFAULT_RATE_PER_SECOND = 0;
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
    public static final int DEFAULT_MESSAGES_PER_PACKET = 32;
    public static final int DEFAULT_MESSAGE_BYTES = 128;
    public static final int DEFAULT_CONNECTIONS = 1;
    public static final int DEFAULT_WINDOW = 256;
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

    /** Largest message that fits one packet in a frame of the default maxFrameLength (1 MiB). */
    public static final int MAX_MESSAGE_BYTES = FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH
        - FrameDescriptor.MIN_LENGTH - PacketDescriptor.HEADER_LENGTH - PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE;
    public static final int MAX_CONNECTIONS = 10_000;
    /** Kept modest because each connection holds its whole window of packets for resending. */
    public static final int MAX_WINDOW = 65_536;

    /** Standard input as {@link #file()}. */
    public static final Path STDIN = Path.of("-");

    public EmitterConfig {
        Objects.requireNonNull(distributor, "distributor");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        replay = List.copyOf(Objects.requireNonNull(replay, "replay"));
        check(ratePerSecond >= 0, "ratePerSecond", ratePerSecond, "must be 0 or more");
        check(!duration.isNegative(), "duration", duration, "must not be negative");
        check(messagesPerPacket >= 1 && messagesPerPacket <= PacketDescriptor.MAX_COUNT,
            "messagesPerPacket", messagesPerPacket, "must be 1.." + PacketDescriptor.MAX_COUNT);
        check(messageBytes >= 1 && messageBytes <= MAX_MESSAGE_BYTES,
            "messageBytes", messageBytes, "must be 1.." + MAX_MESSAGE_BYTES);
        check(connections >= 1 && connections <= MAX_CONNECTIONS,
            "connections", connections, "must be 1.." + MAX_CONNECTIONS);
        check(window >= 1 && window <= MAX_WINDOW, "window", window, "must be 1.." + MAX_WINDOW);
        check(emitterIdBase >= 0 && emitterIdBase + (connections - 1) >= 0,
            "emitterIdBase", emitterIdBase, "must be 0.." + (Long.MAX_VALUE - connections + 1));
        check(ByteBufUtil.utf8Bytes(name) <= Frames.MAX_STR_BYTES, "name", name.length() + " chars",
            "must be at most " + Frames.MAX_STR_BYTES + " bytes of UTF-8");
        check(!drainTimeout.isNegative(), "drainTimeout", drainTimeout, "must not be negative");
        check(maxPackets >= 0, "maxPackets", maxPackets, "must be 0 or more");
        check(replay.isEmpty() || file == null, "replay", replay, "cannot be combined with a file to ship");
    }

    /** Without dead-letter files to replay (the components before {@code replay} was added). */
    public EmitterConfig(HostPort distributor, long ratePerSecond, Duration duration, int messagesPerPacket,
                         int messageBytes, int connections, PrioritySpec priority, Path file, int window,
                         long emitterIdBase, String name, Duration drainTimeout, Path reportFile, long maxPackets,
                         boolean quiet) {
        this(distributor, ratePerSecond, duration, messagesPerPacket, messageBytes, connections, priority, file, window,
            emitterIdBase, name, drainTimeout, reportFile, maxPackets, quiet, List.of());
    }

    /** The defaults: unpaced, 10 s, 32 x 128-byte messages, one connection, priority 0, window 256. */
    public static EmitterConfig defaults(HostPort distributor) {
        return new EmitterConfig(distributor, DEFAULT_RATE_PER_SECOND, DEFAULT_DURATION, DEFAULT_MESSAGES_PER_PACKET,
            DEFAULT_MESSAGE_BYTES, DEFAULT_CONNECTIONS, PrioritySpec.fixed(0), null, DEFAULT_WINDOW,
            randomEmitterIdBase(), "emitter-" + ProcessHandle.current().pid(), DEFAULT_DRAIN_TIMEOUT, null, 0, false, List.of());
    }

    /** A random positive id with room above it for {@link #MAX_CONNECTIONS} consecutive ids. */
    public static long randomEmitterIdBase() {
        return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE - MAX_CONNECTIONS);
    }

    /** True when messages come from {@link #file()} rather than being generated. */
    public boolean shipsFile() {
        return file != null;
    }

    /** True when messages come from the dead-letter files of {@link #replay()} rather than being generated. */
    public boolean replays() {
        return !replay.isEmpty();
    }

    public EmitterConfig withRatePerSecond(long v) {
        return new EmitterConfig(distributor, v, duration, messagesPerPacket, messageBytes, connections, priority,
            file, window, emitterIdBase, name, drainTimeout, reportFile, maxPackets, quiet, replay);
    }

    public EmitterConfig withDuration(Duration v) {
        return new EmitterConfig(distributor, ratePerSecond, v, messagesPerPacket, messageBytes, connections, priority,
            file, window, emitterIdBase, name, drainTimeout, reportFile, maxPackets, quiet, replay);
    }

    public EmitterConfig withMessagesPerPacket(int v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, v, messageBytes, connections, priority,
            file, window, emitterIdBase, name, drainTimeout, reportFile, maxPackets, quiet, replay);
    }

    public EmitterConfig withMessageBytes(int v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, messagesPerPacket, v, connections, priority,
            file, window, emitterIdBase, name, drainTimeout, reportFile, maxPackets, quiet, replay);
    }

    public EmitterConfig withConnections(int v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, messagesPerPacket, messageBytes, v, priority,
            file, window, emitterIdBase, name, drainTimeout, reportFile, maxPackets, quiet, replay);
    }

    public EmitterConfig withPriority(PrioritySpec v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, messagesPerPacket, messageBytes, connections, v,
            file, window, emitterIdBase, name, drainTimeout, reportFile, maxPackets, quiet, replay);
    }

    public EmitterConfig withFile(Path v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, messagesPerPacket, messageBytes, connections,
            priority, v, window, emitterIdBase, name, drainTimeout, reportFile, maxPackets, quiet, replay);
    }

    public EmitterConfig withWindow(int v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, messagesPerPacket, messageBytes, connections,
            priority, file, v, emitterIdBase, name, drainTimeout, reportFile, maxPackets, quiet, replay);
    }

    public EmitterConfig withEmitterIdBase(long v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, messagesPerPacket, messageBytes, connections,
            priority, file, window, v, name, drainTimeout, reportFile, maxPackets, quiet, replay);
    }

    public EmitterConfig withName(String v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, messagesPerPacket, messageBytes, connections,
            priority, file, window, emitterIdBase, v, drainTimeout, reportFile, maxPackets, quiet, replay);
    }

    public EmitterConfig withDrainTimeout(Duration v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, messagesPerPacket, messageBytes, connections,
            priority, file, window, emitterIdBase, name, v, reportFile, maxPackets, quiet, replay);
    }

    public EmitterConfig withReportFile(Path v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, messagesPerPacket, messageBytes, connections,
            priority, file, window, emitterIdBase, name, drainTimeout, v, maxPackets, quiet, replay);
    }

    public EmitterConfig withMaxPackets(long v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, messagesPerPacket, messageBytes, connections,
            priority, file, window, emitterIdBase, name, drainTimeout, reportFile, v, quiet, replay);
    }

    public EmitterConfig withQuiet(boolean v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, messagesPerPacket, messageBytes, connections,
            priority, file, window, emitterIdBase, name, drainTimeout, reportFile, maxPackets, v, replay);
    }

    public EmitterConfig withReplay(List<Path> v) {
        return new EmitterConfig(distributor, ratePerSecond, duration, messagesPerPacket, messageBytes, connections,
            priority, file, window, emitterIdBase, name, drainTimeout, reportFile, maxPackets, quiet, v);
    }
}
