package io.logdist.distributor.queue;

/**
 * A FIFO of packets linked through {@link Packet#next}: O(1) add and poll, no allocation.
 *
 * <p>Not thread-safe: owned by one event loop.
 */
public final class PacketList {
    private Packet head;
    private Packet tail;
    private int size;
    private long bytes;

    public void add(Packet p) {
        p.next = null;
        if (tail == null) {
            head = p;
        } else {
            tail.next = p;
        }
        tail = p;
        size++;
        bytes += p.length();
    }

    /** Puts {@code p} back at the head, e.g. a packet taken out that could not go anywhere. */
    public void addFirst(Packet p) {
        p.next = head;
        head = p;
        if (tail == null) {
            tail = p;
        }
        size++;
        bytes += p.length();
    }

    public Packet peek() {
        return head;
    }

    public Packet poll() {
        Packet p = head;
        if (p != null) {
            head = p.next;
            if (head == null) {
                tail = null;
            }
            p.next = null;
            size--;
            bytes -= p.length();
        }
        return p;
    }

    /** Moves every packet of {@code other} to the end of this list, leaving it empty. */
    public void addAll(PacketList other) {
        if (other.head == null) {
            return;
        }
        if (tail == null) {
            head = other.head;
        } else {
            tail.next = other.head;
        }
        tail = other.tail;
        size += other.size;
        bytes += other.bytes;
        other.head = null;
        other.tail = null;
        other.size = 0;
        other.bytes = 0;
    }

    public boolean isEmpty() {
        return head == null;
    }

    public int size() {
        return size;
    }

    public long bytes() {
        return bytes;
    }
}
