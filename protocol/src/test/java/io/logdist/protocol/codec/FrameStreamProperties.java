package io.logdist.protocol.codec;

import io.logdist.protocol.testing.FrameDecoderHarness;
import io.logdist.protocol.testing.FrameModel;
import io.logdist.protocol.testing.Hex;
import io.logdist.protocol.testing.PacketModel;
import io.logdist.protocol.testing.TrackingAllocator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterTry;

import java.io.ByteArrayOutputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of {@link FrameDecoder} over random streams: a stream of well-formed frames
 * decodes to the same frames however it is cut into buffers, and arbitrary bytes never
 * make it throw; whatever comes out does not depend on the cuts and stops at the first
 * {@link FrameError}.
 */
class FrameStreamProperties {
    private static final int MAX = 64 * 1024;

    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterTry
    void everyBufferIsReleased() {
        alloc.assertAllReleased();
    }

    /** Bytes and the ascending points at which to cut them into separate buffers. */
    record CutStream(byte[] bytes, List<Integer> cuts) {
        @Override
        public String toString() {
            return "CutStream[" + bytes.length + " bytes, cuts=" + cuts + ": " + Hex.of(bytes) + "]";
        }
    }

    /** Frames and the stream they make, cut at random points. */
    record FrameStream(List<FrameModel> frames, CutStream stream) {
    }

    @Property(tries = 500)
    void shouldDecodeAStreamCutAtRandomPointsToTheFramesWritten(@ForAll("frameStreams") FrameStream sample) {
        try (FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, MAX)) {
            decoder.feedCutAt(sample.stream().bytes(), sample.stream().cuts());

            assertThat(decoder.frames()).containsExactlyElementsOf(sample.frames());
        }
    }

    @Property(tries = 500)
    void shouldPassUpTheSameWhateverTheCutsAndNothingAfterAFrameError(@ForAll("garbageStreams") CutStream stream) {
        List<Object> whole;
        try (FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, MAX)) {
            decoder.feed(stream.bytes());
            whole = decoder.outputs();
        }
        List<Object> cut;
        try (FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, MAX)) {
            decoder.feedCutAt(stream.bytes(), stream.cuts());
            cut = decoder.outputs();
        }

        assertThat(cut).isEqualTo(whole);
        for (int i = 0; i < whole.size(); i++) {
            Object out = whole.get(i);
            if (out instanceof FrameError) {
                assertThat(i).as("a FrameError is the last thing passed up").isEqualTo(whole.size() - 1);
            } else {
                byte[] frame = Hex.decode((String) out);
                assertThat(frame.length).isBetween(FrameDescriptor.HEADER_LENGTH, FrameDescriptor.LENGTH_FIELD_SIZE + MAX);
                assertThat(frame[FrameDescriptor.VERSION_OFFSET]).isEqualTo((byte) 1);
                assertThat(FrameType.of(frame[FrameDescriptor.TYPE_OFFSET] & 0xff)).isNotEqualTo(FrameType.UNKNOWN);
                assertThat(frame[FrameDescriptor.FLAGS_OFFSET] | frame[FrameDescriptor.FLAGS_OFFSET + 1]).isZero();
            }
        }
    }

    @Provide
    Arbitrary<FrameStream> frameStreams() {
        return frames().list().ofMinSize(1).ofMaxSize(20).flatMap(frames -> {
            byte[] bytes = concat(frames.stream().map(FrameModel::toBytes).toList());
            return cutsOf(bytes.length).map(cuts -> new FrameStream(frames, new CutStream(bytes, cuts)));
        });
    }

    /** Well-formed frames and random byte runs, mixed. */
    @Provide
    Arbitrary<CutStream> garbageStreams() {
        Arbitrary<byte[]> piece = Arbitraries.frequencyOf(
            Tuple.of(3, frames().map(FrameModel::toBytes)),
            Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(24)));
        return piece.list().ofMinSize(1).ofMaxSize(12).flatMap(pieces -> {
            byte[] bytes = concat(pieces);
            return cutsOf(bytes.length).map(cuts -> new CutStream(bytes, cuts));
        });
    }

    private static Arbitrary<List<Integer>> cutsOf(int length) {
        return Arbitraries.integers().between(1, Math.max(1, length - 1)).list().ofMaxSize(16)
            .map(cuts -> cuts.stream().sorted().distinct().toList());
    }

    private static Arbitrary<FrameModel> frames() {
        Arbitrary<String> str = Arbitraries.oneOf(
            Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\u07ff').withCharRange('\u4e00', '\u4fff')
                .ofMaxLength(40),
            Arbitraries.of("", "🙂", "𝄞 clef", "é"));
        Arbitrary<Long> u32 = Arbitraries.longs().between(0, 0xFFFFFFFFL);
        Arbitrary<ErrorCode> code = Arbitraries.of(ErrorCode.class).filter(c -> c != ErrorCode.NONE && c != ErrorCode.UNKNOWN);
        Arbitrary<PacketModel> packet = Combinators.combine(
                Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs(), Arbitraries.integers().between(0, 255),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64).list().ofMinSize(1).ofMaxSize(8))
            .as(PacketModel::new);
        return Arbitraries.oneOf(
            Combinators.combine(Arbitraries.of(Frames.ROLE_EMITTER, Frames.ROLE_DISTRIBUTOR), Arbitraries.longs(), u32, str, str)
                .as(FrameModel.Hello::new),
            Combinators.combine(u32, u32, Arbitraries.longs(), str).as(FrameModel.Welcome::new),
            packet.map(FrameModel.Packet::new),
            Combinators.combine(Arbitraries.longs(), packet).as(FrameModel.Deliver::new),
            Arbitraries.longs().map(FrameModel.Ack::new),
            Combinators.combine(Arbitraries.longs(), code, u32, str).as(FrameModel.Nack::new),
            Arbitraries.longs().map(FrameModel.Ping::new),
            Arbitraries.longs().map(FrameModel.Pong::new),
            Combinators.combine(code, str).as(FrameModel.Error::new),
            Arbitraries.just(new FrameModel.Goodbye()));
    }

    private static byte[] concat(List<byte[]> pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pieces.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
