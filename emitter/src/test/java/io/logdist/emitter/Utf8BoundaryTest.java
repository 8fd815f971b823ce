package io.logdist.emitter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8BoundaryTest {
    private static ByteBuf utf8(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldLeaveOutACharacterThatACutWouldSplit() {
        ByteBuf text = utf8("ab\u00e9\u20ac\ud83d\ude00"); // a b é(2) €(3) 😀(4): 11 bytes
        assertThat(Utf8Boundary.cutLength(text, 0, 3)).isEqualTo(2);   // inside é
        assertThat(Utf8Boundary.cutLength(text, 0, 4)).isEqualTo(4);   // after é
        assertThat(Utf8Boundary.cutLength(text, 0, 5)).isEqualTo(4);   // inside €
        assertThat(Utf8Boundary.cutLength(text, 0, 6)).isEqualTo(4);
        assertThat(Utf8Boundary.cutLength(text, 0, 7)).isEqualTo(7);   // after €
        assertThat(Utf8Boundary.cutLength(text, 0, 10)).isEqualTo(7);  // inside 😀
        assertThat(Utf8Boundary.cutLength(text, 0, 11)).isEqualTo(11);
    }

    @Test
    void shouldCutPlainAsciiAndNonUtf8BytesWhereAsked() {
        assertThat(Utf8Boundary.cutLength(utf8("hello"), 0, 3)).isEqualTo(3);
        ByteBuf latin1 = Unpooled.wrappedBuffer(new byte[] {'a', (byte) 0xA9, (byte) 0xA9, (byte) 0xA9, (byte) 0xA9, (byte) 0xA9});
        assertThat(Utf8Boundary.cutLength(latin1, 0, 6)).isEqualTo(6);
    }

    @Test
    void shouldMeasureFromTheGivenStart() {
        ByteBuf text = utf8("xx\u20ac");
        assertThat(Utf8Boundary.cutLength(text, 2, 2)).isZero();
        assertThat(Utf8Boundary.cutLength(text, 2, 3)).isEqualTo(3);
    }
}
