package io.logdist.protocol.packet;

import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.testing.PacketModel;
import io.logdist.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterTry;

import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of packets over random contents: what {@link PacketWriter} writes,
 * {@link PacketFlyweight} reads back and validates, and no single changed byte gets past
 * validation.
 */
class PacketProperties {
    private final TrackingAllocator alloc = new TrackingAllocator();
    private final PacketWriter writer = new PacketWriter();
    private final PacketFlyweight flyweight = new PacketFlyweight();

    @AfterTry
    void everyBufferIsReleased() {
        alloc.assertAllReleased();
    }

    /** Random emitterId, sequence, timestamp, priority 0..255, 1..64 messages of 0..300 random bytes. */
    @Provide
    static Arbitrary<PacketModel> packets() {
        Arbitrary<byte[]> message = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        return Combinators.combine(
                Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.integers().between(0, 255),
                message.list().ofMinSize(1).ofMaxSize(64))
            .as(PacketModel::new);
    }

    /** A packet, one byte position in it and a non-zero mask to XOR into that byte. */
    record Flip(PacketModel packet, int index, int mask) {
    }

    @Provide
    Arbitrary<Flip> flips() {
        return packets().flatMap(p -> Combinators.combine(
                Arbitraries.integers().between(0, p.encodedLength() - 1), Arbitraries.integers().between(1, 255))
            .as((index, mask) -> new Flip(p, index, mask)));
    }

    @Property
    void shouldReadBackEveryFieldWrittenAndValidate(@ForAll("packets") PacketModel packet) {
        ByteBuf buf = alloc.directBuffer();
        try {
            int length = packet.writeTo(buf, writer);

            assertThat(length).isEqualTo(packet.encodedLength()).isEqualTo(buf.readableBytes());
            flyweight.wrap(buf);
            assertThat(flyweight.validate()).isEqualTo(ErrorCode.NONE);
            assertThat(PacketModel.read(flyweight)).isEqualTo(packet);
            assertThat(flyweight.attributes()).isZero();
            assertThat(flyweight.count()).isEqualTo(packet.messages().size());
            assertThat(flyweight.payloadBytes()).isEqualTo(packet.messages().stream().mapToLong(m -> m.length).sum());
        } finally {
            buf.release();
        }
    }

    @Property
    void shouldRefuseThePacketWhenAnySingleByteIsChanged(@ForAll("flips") Flip flip) {
        ByteBuf buf = alloc.heapBuffer();
        try {
            flip.packet().writeTo(buf, writer);
            buf.setByte(flip.index(), buf.getByte(flip.index()) ^ flip.mask());

            assertThat(flyweight.wrap(buf).validate()).isNotEqualTo(ErrorCode.NONE);
        } finally {
            buf.release();
        }
    }

    @Property
    void shouldComputeTheSameCrcAsTheJdkOverCompositesCutAnywhere(
            @ForAll @Size(max = 2000) byte[] data, @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 2000) Integer> cuts) {
        CRC32C jdk = new CRC32C();
        jdk.update(data);
        CompositeByteBuf composite = alloc.compositeBuffer();
        try {
            int from = 0;
            boolean direct = false;
            for (int cut : cuts.stream().sorted().distinct().toList()) {
                if (cut > from && cut < data.length) {
                    composite.addComponent(true, part(data, from, cut, direct));
                    from = cut;
                    direct = !direct;
                }
            }
            composite.addComponent(true, part(data, from, data.length, direct));

            assertThat(new Crc32c().compute(composite, 0, data.length)).isEqualTo((int) jdk.getValue());
        } finally {
            composite.release();
        }
    }

    private ByteBuf part(byte[] data, int from, int to, boolean direct) {
        ByteBuf b = direct ? alloc.directBuffer(to - from) : alloc.heapBuffer(to - from);
        return b.writeBytes(data, from, to - from);
    }
}
