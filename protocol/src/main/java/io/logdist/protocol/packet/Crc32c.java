package io.logdist.protocol.packet;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC-32C over a region of a {@link ByteBuf} without copying it: heap buffers feed their
 * array, direct ones their NIO view (intrinsified by the JDK).
 *
 * <p>Not thread-safe: keep one per thread (it reuses one {@link CRC32C}).
 */
public final class Crc32c {
    private final CRC32C crc = new CRC32C();

    public int compute(ByteBuf buf, int index, int length) {
        crc.reset();
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            crc.update(buf.internalNioBuffer(index, length));
        } else {
            for (ByteBuffer b : buf.nioBuffers(index, length)) {
                crc.update(b);
            }
        }
        return (int) crc.getValue();
    }
}
