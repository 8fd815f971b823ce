package io.logdist.protocol.packet;

import io.logdist.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CRC-32C check value from the spec (ASCII {@code 123456789} → 0xE3069283) over
 * every kind of buffer the distributor meets: heap (array path), direct (one NIO
 * buffer), composite (several NIO buffers), and regions that do not start at 0.
 */
class Crc32cTest {
    private static final byte[] CHECK_INPUT = "123456789".getBytes(StandardCharsets.US_ASCII);
    private static final int CHECK_VALUE = 0xE3069283;

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final Crc32c crc = new Crc32c();

    @AfterEach
    void everyBufferIsReleased() {
        alloc.assertAllReleased();
    }

    @Test
    void shouldComputeTheCheckValueOverAHeapBuffer() {
        ByteBuf buf = alloc.heapBuffer().writeBytes(CHECK_INPUT);
        try {
            assertThat(buf.hasArray()).isTrue();
            assertThat(crc.compute(buf, 0, 9)).isEqualTo(CHECK_VALUE);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldComputeTheCheckValueOverADirectBuffer() {
        ByteBuf buf = alloc.directBuffer().writeBytes(CHECK_INPUT);
        try {
            assertThat(buf.hasArray()).isFalse();
            assertThat(crc.compute(buf, 0, 9)).isEqualTo(CHECK_VALUE);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldComputeTheCheckValueOverACompositeOfHeapAndDirectParts() {
        CompositeByteBuf buf = alloc.compositeBuffer();
        try {
            buf.addComponents(true,
                alloc.heapBuffer().writeBytes(CHECK_INPUT, 0, 2),
                alloc.directBuffer().writeBytes(CHECK_INPUT, 2, 4),
                alloc.heapBuffer().writeBytes(CHECK_INPUT, 6, 3));
            assertThat(buf.nioBufferCount()).isEqualTo(3);
            assertThat(crc.compute(buf, 0, 9)).isEqualTo(CHECK_VALUE);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldComputeTheCheckValueOverACompositeOfOnePart() {
        CompositeByteBuf buf = alloc.compositeDirectBuffer();
        try {
            buf.addComponent(true, alloc.directBuffer().writeBytes(CHECK_INPUT));
            assertThat(crc.compute(buf, 0, 9)).isEqualTo(CHECK_VALUE);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldComputeTheCheckValueOverARegionThatDoesNotStartAtZero() {
        ByteBuf heap = alloc.heapBuffer().writeBytes(new byte[] {'x', 'x', 'x'}).writeBytes(CHECK_INPUT).writeByte('y');
        ByteBuf direct = alloc.directBuffer().writeBytes(new byte[] {'x', 'x', 'x'}).writeBytes(CHECK_INPUT).writeByte('y');
        try {
            assertThat(crc.compute(heap, 3, 9)).isEqualTo(CHECK_VALUE);
            assertThat(crc.compute(direct, 3, 9)).isEqualTo(CHECK_VALUE);
            // a slice has a non-zero array offset (heap) or memory offset (direct)
            assertThat(crc.compute(heap.slice(3, 9), 0, 9)).isEqualTo(CHECK_VALUE);
            assertThat(crc.compute(direct.slice(1, 11), 2, 9)).isEqualTo(CHECK_VALUE);
        } finally {
            heap.release();
            direct.release();
        }
    }

    @Test
    void shouldComputeTheCheckValueOverPooledAndDefaultAllocatorBuffers() {
        for (ByteBufAllocator allocator : new ByteBufAllocator[] {PooledByteBufAllocator.DEFAULT, ByteBufAllocator.DEFAULT}) {
            ByteBuf heap = allocator.heapBuffer().writeBytes(CHECK_INPUT);
            ByteBuf direct = allocator.directBuffer().writeBytes(CHECK_INPUT);
            try {
                assertThat(crc.compute(heap, 0, 9)).as("%s heap", allocator).isEqualTo(CHECK_VALUE);
                assertThat(crc.compute(direct, 0, 9)).as("%s direct", allocator).isEqualTo(CHECK_VALUE);
            } finally {
                heap.release();
                direct.release();
            }
        }
    }

    @Test
    void shouldComputeTheCheckValueOverSlicesOfPooledAndUnpooledDirectBuffers() {
        for (ByteBufAllocator allocator : new ByteBufAllocator[] {PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT}) {
            ByteBuf root = allocator.directBuffer(64).writeBytes(new byte[] {'x', 'x', 'x', 'x', 'x'}).writeBytes(CHECK_INPUT);
            try {
                ByteBuf slice = root.retainedSlice(2, 12);
                try {
                    assertThat(crc.compute(slice, 3, 9)).as("%s slice", allocator).isEqualTo(CHECK_VALUE);
                    assertThat(crc.compute(slice.slice(1, 11), 2, 9)).as("%s slice of a slice", allocator).isEqualTo(CHECK_VALUE);
                    assertThat(crc.compute(slice.duplicate(), 3, 9)).as("%s duplicate", allocator).isEqualTo(CHECK_VALUE);
                } finally {
                    slice.release();
                }
            } finally {
                root.release();
            }
        }
    }

    /**
     * The distributor checks every packet through a slice of its read buffer: that must not
     * allocate (it did: two NIO views per call, ~128 B). Measured over many calls so the
     * few bytes the measurement itself may cost do not matter.
     */
    @Test
    void shouldNotAllocateForASliceOfAPooledDirectBuffer() {
        ByteBuf wrapped = PooledByteBufAllocator.DEFAULT.directBuffer(8192);
        try {
            // The leak detector (paranoid in tests) records every access to a buffer it tracks: use the buffer under it.
            ByteBuf root = wrapped.unwrap() != null ? wrapped.unwrap() : wrapped;
            root.writeZero(4096).writeBytes(CHECK_INPUT);
            ByteBuf slice = root.slice(4000, 200);
            int calls = 20_000;
            for (int i = 0; i < calls; i++) { // warm up: class loading, the root's one NIO view
                crc.compute(slice, 96, 9);
            }
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            long sum = 0;
            for (int i = 0; i < calls; i++) {
                sum += crc.compute(slice, 96, 9);
            }
            long perCall = (threads.getCurrentThreadAllocatedBytes() - before) / calls;
            assertThat(sum).as("every call gave the check value").isEqualTo((long) calls * CHECK_VALUE);
            assertThat(crc.compute(slice, 96, 9)).isEqualTo(CHECK_VALUE);
            assertThat(perCall).as("bytes allocated per call").isLessThan(8);
        } finally {
            wrapped.release();
        }
    }

    @Test
    void shouldComputeTheCheckValueOverAReadOnlyView() {
        ByteBuf buf = alloc.directBuffer().writeBytes(CHECK_INPUT);
        try {
            assertThat(crc.compute(buf.asReadOnly(), 0, 9)).isEqualTo(CHECK_VALUE);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldStartAfreshOnEveryCall() {
        ByteBuf buf = alloc.heapBuffer().writeBytes(CHECK_INPUT);
        try {
            crc.compute(buf, 0, 4);
            assertThat(crc.compute(buf, 0, 9)).isEqualTo(CHECK_VALUE);
            assertThat(crc.compute(buf, 0, 9)).isEqualTo(CHECK_VALUE);
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldNotMoveTheReaderOrWriterIndex() {
        ByteBuf buf = alloc.directBuffer().writeBytes(CHECK_INPUT);
        try {
            buf.readerIndex(1);
            crc.compute(buf, 0, 9);
            assertThat(buf.readerIndex()).isEqualTo(1);
            assertThat(buf.writerIndex()).isEqualTo(9);
        } finally {
            buf.release();
        }
    }
}
