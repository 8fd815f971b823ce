package io.logdist.protocol.codec;

import io.logdist.protocol.testing.FrameModel;
import io.logdist.protocol.testing.Hex;
import io.logdist.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Bodies that do not match their type's layout. The decoder passes any well-framed
 * frame up; it is {@link FrameReader} that must refuse a truncated or overlong body with
 * {@link MalformedFrameException} carrying {@link ErrorCode#MALFORMED_FRAME}, which the
 * handler answers with ERROR and a close.
 */
class FrameReaderTest {
    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void everyBufferIsReleased() {
        alloc.assertAllReleased();
    }

    /** A whole frame of {@code type} with exactly {@code body} after the header. */
    private ByteBuf frame(FrameType type, byte[] body) {
        ByteBuf b = alloc.buffer(FrameDescriptor.HEADER_LENGTH + body.length);
        b.writeInt(FrameDescriptor.lengthFieldFor(body.length)).writeByte(1).writeByte(type.value()).writeShort(0);
        return b.writeBytes(body);
    }

    private static byte[] bodyOf(FrameModel model) {
        byte[] frame = model.toBytes();
        return Arrays.copyOfRange(frame, FrameDescriptor.HEADER_LENGTH, frame.length);
    }

    private MalformedFrameException readMalformed(FrameType type, byte[] body, Function<ByteBuf, ?> reader) {
        ByteBuf frame = frame(type, body);
        try {
            MalformedFrameException e = catchThrowableOfType(MalformedFrameException.class, () -> reader.apply(frame));
            assertThat(e).as("%s with body %s", type, Hex.of(body)).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
            return e;
        } finally {
            frame.release();
        }
    }

    static Stream<Arguments> variableBodies() {
        return Stream.of(
            Arguments.of(FrameType.HELLO, bodyOf(new FrameModel.Hello(1, 5, 8, "em", "tk")),
                (Function<ByteBuf, ?>) FrameReader::hello),
            Arguments.of(FrameType.WELCOME, bodyOf(new FrameModel.Welcome(8, 1 << 20, 0, "dist")),
                (Function<ByteBuf, ?>) FrameReader::welcome),
            Arguments.of(FrameType.NACK, bodyOf(new FrameModel.Nack(5, ErrorCode.OVERLOADED, 10, "full")),
                (Function<ByteBuf, ?>) FrameReader::nack),
            Arguments.of(FrameType.ERROR, bodyOf(new FrameModel.Error(ErrorCode.UNAUTHORIZED, "no")),
                (Function<ByteBuf, ?>) FrameReader::error));
    }

    @ParameterizedTest
    @MethodSource("variableBodies")
    void shouldReadTheWellFormedBody(FrameType type, byte[] body, Function<ByteBuf, ?> reader) {
        ByteBuf frame = frame(type, body);
        try {
            assertThatCode(() -> reader.apply(frame)).doesNotThrowAnyException();
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest
    @MethodSource("variableBodies")
    void shouldRejectTheBodyTruncatedAtEveryPointWithMalformedFrame(FrameType type, byte[] body, Function<ByteBuf, ?> reader) {
        for (int cut = 0; cut < body.length; cut++) {
            MalformedFrameException e = readMalformed(type, Arrays.copyOf(body, cut), reader);
            assertThat(e.getMessage()).contains(type.name()).contains("truncated");
        }
    }

    @ParameterizedTest
    @MethodSource("variableBodies")
    void shouldRejectTheBodyWithBytesLeftOverWithMalformedFrame(FrameType type, byte[] body, Function<ByteBuf, ?> reader) {
        for (int extra = 1; extra <= 3; extra++) {
            MalformedFrameException e = readMalformed(type, Arrays.copyOf(body, body.length + extra), reader);
            assertThat(e.getMessage()).contains(type.name()).contains(extra + " bytes left over");
        }
    }

    @Test
    void shouldRejectAStrWhoseLengthRunsPastTheBody() {
        // ERROR code 1, str claiming 0xffff bytes but holding 2
        readMalformed(FrameType.ERROR, Hex.decode("00 01 ff ff 6f 6b"), FrameReader::error);
        // HELLO whose token str claims 3 bytes and has 2
        readMalformed(FrameType.HELLO, Hex.decode("01 00 00 00 00 00 00 00 05 00 00 00 08 00 00 00 03 74 6b"), FrameReader::hello);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 9, 16})
    void shouldRejectAckPingAndPongBodiesThatAreNotEightBytes(int size) {
        for (FrameType type : new FrameType[] {FrameType.ACK, FrameType.PING, FrameType.PONG}) {
            MalformedFrameException e = readMalformed(type, new byte[size], FrameReader::u64Body);
            assertThat(e.getMessage()).contains(type.name()).contains("8 bytes").contains("was " + size);
        }
    }

    @Test
    void shouldRejectAGoodbyeWithABody() {
        readMalformed(FrameType.GOODBYE, new byte[1], f -> {
            FrameReader.checkEmptyBody(f);
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7})
    void shouldRejectADeliverTooShortToHoldItsDeliveryId(int size) {
        readMalformed(FrameType.DELIVER, new byte[size], FrameReader::deliveryId);
        readMalformed(FrameType.DELIVER, new byte[size], FrameReader::packetOfDeliverFrame);
    }

    @Test
    void shouldReadADeliverWithOnlyADeliveryIdAsAnEmptyPacketForValidationToRefuse() {
        ByteBuf frame = frame(FrameType.DELIVER, Hex.decode("00 00 00 00 00 00 00 01"));
        try {
            assertThat(FrameReader.deliveryId(frame)).isEqualTo(1);
            assertThat(FrameReader.packetOfDeliverFrame(frame).readableBytes()).isZero();
        } finally {
            frame.release();
        }
    }

    @Test
    void shouldReportTheTypeAndBodyGeometryOfAFrame() {
        ByteBuf frame = frame(FrameType.PING, new byte[8]);
        try {
            assertThat(FrameReader.type(frame)).isEqualTo(FrameType.PING);
            assertThat(FrameReader.bodyLength(frame)).isEqualTo(8);
            assertThat(FrameReader.bodyIndex(frame)).isEqualTo(FrameDescriptor.BODY_OFFSET);
        } finally {
            frame.release();
        }
    }
}
