package io.logdist.protocol.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.HexFormat;
import java.util.Locale;

/** Hex as written in tests: lowercase bytes separated by single spaces, {@code "00 00 00 0c 01 05"}. */
public final class Hex {
    private static final HexFormat SPACED = HexFormat.ofDelimiter(" ");

    private Hex() {
    }

    /** Bytes written as hex; any whitespace between bytes (spaces, line breaks) is ignored. */
    public static byte[] decode(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    /** The readable bytes of {@code buf} (not consumed) as spaced hex. */
    public static String of(ByteBuf buf) {
        return SPACED.formatHex(ByteBufUtil.getBytes(buf));
    }

    public static String of(byte[] bytes) {
        return SPACED.formatHex(bytes);
    }

    /** Normalises hand-written hex (any spacing, any case) to the form {@link #of} produces. */
    public static String normalize(String hex) {
        return of(decode(hex.toLowerCase(Locale.ROOT)));
    }
}
