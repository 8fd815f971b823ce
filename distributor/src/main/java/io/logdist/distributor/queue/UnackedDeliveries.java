package io.logdist.distributor.queue;

/**
 * The DELIVERs written on one analyzer connection and not yet acknowledged, in
 * deliveryId order (the order they were written), so a cumulative ACK settles a prefix.
 *
 * <p>Not thread-safe: owned by the link's event loop.
 */
public final class UnackedDeliveries {
    private final PacketList list = new PacketList();

    public void add(Packet p) {
        list.add(p);
    }

    /** Removes and returns the oldest delivery if its id is at most {@code through}, else null. */
    public Packet pollThrough(long through) {
        Packet head = list.peek();
        if (head == null || head.deliveryId > through) {
            return null;
        }
        return list.poll();
    }

    /** The delivery with this id, or null; linear, for the rare NACK. */
    public Packet find(long deliveryId) {
        for (Packet p = list.peek(); p != null; p = p.next) {
            if (p.deliveryId == deliveryId) {
                return p;
            }
        }
        return null;
    }

    /** Moves every unacknowledged packet, oldest first, to {@code out}. */
    public void drainTo(PacketList out) {
        out.addAll(list);
    }

    public int size() {
        return list.size();
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }
}
