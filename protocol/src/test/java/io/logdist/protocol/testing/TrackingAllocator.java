package io.logdist.protocol.testing;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * An unpooled allocator that remembers every buffer it hands out, so a test can check
 * deterministically that all of them were released ({@link #assertAllReleased()}),
 * instead of hoping the garbage collector runs before the leak detector looks. Give it to
 * an {@code EmbeddedChannel} ({@code channel.config().setAllocator(alloc)}) to cover the
 * decoder's cumulation buffers too.
 *
 * <p>Buffers are also wrapped for Netty's leak detector, so a paranoid run reports where a
 * leaked buffer was last touched.
 *
 * <p>Not thread-safe: one per test.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(toLeakAwareBuffer(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity)));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(toLeakAwareBuffer(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity)));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return track(super.compositeHeapBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return track(super.compositeDirectBuffer(maxNumComponents));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** A heap buffer holding a copy of {@code bytes}. */
    public ByteBuf copyOf(byte[] bytes) {
        return heapBuffer(bytes.length).writeBytes(bytes);
    }

    /** A heap buffer holding the bytes written as hex, e.g. {@code "00 00 00 0c 01 05"}. */
    public ByteBuf fromHex(String hex) {
        return copyOf(Hex.decode(hex));
    }

    /** How many buffers this allocator has handed out so far. */
    public int allocatedCount() {
        return allocated.size();
    }

    /** Fails when any buffer handed out since the last call still holds a reference, then forgets them all. */
    public void assertAllReleased() {
        List<String> leaked = new ArrayList<>();
        for (ByteBuf b : allocated) {
            if (b.refCnt() != 0) {
                leaked.add("refCnt=" + b.refCnt() + " capacity=" + b.capacity()
                    + " first bytes=" + ByteBufUtil.hexDump(b, 0, Math.min(16, b.capacity())));
            }
        }
        allocated.clear();
        if (!leaked.isEmpty()) {
            throw new AssertionError(leaked.size() + " buffer(s) not released: " + leaked);
        }
    }

    private <T extends ByteBuf> T track(T buf) {
        allocated.add(buf);
        return buf;
    }
}
