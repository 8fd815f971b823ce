package io.logdist.protocol.packet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC-32C over a region of a {@link ByteBuf} without copying it and, on the hot path,
 * without allocating: heap buffers feed their array; a direct buffer (or a slice of one)
 * from the pooled or unpooled allocator feeds the NIO view its <em>root</em> buffer
 * caches, positioned on the region (the JDK intrinsifies the rest). Anything else feeds
 * fresh NIO views: correct, but an allocation per call.
 *
 * <p>Why the root: a slice's {@code internalNioBuffer} is a new duplicate and slice of
 * the root's memory on every call (two {@code DirectByteBuffer}s per packet, the largest
 * allocation on the distributor's and analyzers' paths before this), while a
 * {@code PooledByteBuf} or {@code UnpooledDirectByteBuf} makes its view once.
 *
 * <p>Not thread-safe: keep one per thread (it reuses one {@link CRC32C}). The root's
 * cached view is shared by every slice of that root, so call it on the thread that owns
 * the root buffer (the event loop that read or wrote it), as Netty requires of
 * {@code internalNioBuffer}.
 */
public final class Crc32c {
    private final CRC32C crc = new CRC32C();

    public int compute(ByteBuf buf, int index, int length) {
        crc.reset();
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (!updateThroughRoot(buf, index, length)) {
            if (buf.nioBufferCount() == 1) {
                crc.update(buf.internalNioBuffer(index, length));
            } else {
                for (ByteBuffer b : buf.nioBuffers(index, length)) {
                    crc.update(b);
                }
            }
        }
        return (int) crc.getValue();
    }

    /** Feeds the region through the root buffer's cached NIO view; false when that cannot be done safely. */
    private boolean updateThroughRoot(ByteBuf buf, int index, int length) {
        if (!buf.hasMemoryAddress()) {
            return false;
        }
        ByteBuf root = buf;
        for (ByteBuf next = root.unwrap(); next != null; next = next.unwrap()) {
            root = next;
        }
        // Only allocators whose root buffer is one allocation with one owner: the adaptive
        // allocator's root is a chunk shared by buffers that other threads may be reading.
        if (!(root.alloc() instanceof PooledByteBufAllocator || root.alloc() instanceof UnpooledByteBufAllocator)
            || !root.hasMemoryAddress() || root.nioBufferCount() != 1) {
            return false;
        }
        long rootIndex = buf.memoryAddress() - root.memoryAddress() + index;
        if (rootIndex < 0 || rootIndex + length > root.capacity()) {
            return false;
        }
        crc.update(root.internalNioBuffer((int) rootIndex, length));
        return true;
    }
}
