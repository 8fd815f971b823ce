package io.logdist.distributor.ingest;

import io.logdist.distributor.loop.LoopContext;
import io.logdist.protocol.codec.ErrorCode;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayQueue;
import org.agrona.collections.LongHashSet;

/**
 * What the distributor knows of one emitter's sequences, kept across its reconnects:
 * the cumulative cursor (every sequence up to it is settled) and the state of each
 * sequence in the window above it.
 *
 * <p>States above the cursor: {@code NONE} (not seen), {@code IN_FLIGHT} (accepted, not
 * yet safe), {@code SAFE} (an analyzer has it), {@code REFUSED} (NACKed). The cursor
 * advances over contiguous SAFE and REFUSED sequences. A refused sequence that the cursor
 * passed is remembered (bounded), so that if the emitter sends it again with the same
 * sequence it is accepted as new rather than taken for a duplicate; while such a resend is
 * in flight no ACK is sent, since a cumulative ACK would claim it settled.
 *
 * <p>A ledger made for an emitter it has never seen (after a restart, or an expiry) takes
 * everything below the first sequence it sees as settled elsewhere, except what the emitter
 * sends again from up to a window below it: that is its unsettled packets resent in
 * another order, and is taken as new like the resend of a refused sequence.
 *
 * <p>A ledger with no session and nothing in flight for the emitter expiry is
 * <em>retired</em> by its owner loop and dropped from {@link EmitterLedgers}; a HELLO
 * that found it just before then takes a fresh one instead.
 *
 * <p>Thread: owned by one event loop at a time, {@link #owner()}; all methods except
 * {@code owner()} and {@link #isRetired()} run there. Ownership moves (through tasks on the two loops) when the
 * emitter reconnects on another loop.
 */
public final class EmitterLedger {
    /** Outcome of {@link #admit(long)}. */
    public enum Admission {
        /** New: deliver it. */
        ACCEPT,
        /** Already settled: ACK again, do not deliver. */
        DUPLICATE,
        /** Already held (in flight or safe above the cursor): it will be ACKed, do not deliver. */
        HELD,
        /** Beyond the emitter's window: a protocol violation. */
        OUT_OF_WINDOW
    }

    private static final byte NONE = 0;
    private static final byte IN_FLIGHT = 1;
    private static final byte SAFE = 2;
    private static final byte REFUSED = 3;
    /** How many refused-and-passed sequences are remembered per emitter. */
    static final int MAX_REFUSED_REMEMBERED = 65_536;

    private final long emitterId;
    private final byte[] states;
    /** The NACK code of each REFUSED slot of {@link #states}. */
    private final byte[] refusedCodes;
    private final int mask;
    /** Refused sequences the cursor passed, to the code of their NACK. */
    private final Long2LongHashMap refusedBelowCursor = new Long2LongHashMap(-1);
    private final LongArrayQueue refusedOrder = new LongArrayQueue();
    private final LongHashSet resendsInFlight = new LongHashSet();
    /** Sequences below {@link #anchor} taken as new (at most a window of them): a second copy is a duplicate. */
    private final LongHashSet takenBelowAnchor = new LongHashSet();
    /** Sequences refused before the first good packet anchored the ledger (a few at most). */
    private final Long2LongHashMap refusedBeforeAnchor = new Long2LongHashMap(-1);
    private volatile LoopContext owner;
    private volatile boolean retired;
    /** When the last session detached (or the ledger was made); meaningful while {@code session} is null. */
    private long idleSinceNs = System.nanoTime();
    private EmitterSession session;
    private long cursor;
    private long lastAckSent = -1;
    private boolean ackWanted;
    private boolean ackQueued;
    private int window;
    private long inFlight;
    /** True until the first packet: a ledger made here for an emitter that has sent before (another instance, a restart). */
    private boolean unanchored = true;
    /** The first sequence this ledger saw; below it, it knows nothing. */
    private long anchor;

    /**
     * @param maxWindow the largest window any session of this emitter may be granted
     */
    public EmitterLedger(long emitterId, LoopContext owner, int maxWindow) {
        this.emitterId = emitterId;
        this.owner = owner;
        int size = Integer.highestOneBit(Math.max(1, maxWindow - 1)) << 1;
        this.states = new byte[size];
        this.refusedCodes = new byte[size];
        this.mask = size - 1;
        this.window = maxWindow;
    }

    public long emitterId() {
        return emitterId;
    }

    /** The loop that owns this ledger now. Any thread. */
    public LoopContext owner() {
        return owner;
    }

    void moveTo(LoopContext newOwner) {
        this.owner = newOwner;
        idleSinceNs = System.nanoTime(); // a session is on its way: not idle
    }

    public EmitterSession session() {
        return session;
    }

    /** Makes {@code s} the session ACKs go to; returns the {@link #ackedThrough()} its WELCOME says. */
    long attach(EmitterSession s, int grantedWindow) {
        this.session = s;
        this.window = Math.min(grantedWindow, states.length);
        // WELCOME's ackedThrough tells the emitter this much.
        this.lastAckSent = ackedThrough();
        return lastAckSent;
    }

    void detach(EmitterSession s) {
        if (session == s) {
            session = null;
            idleSinceNs = System.nanoTime();
        }
    }

    /**
     * Retires the ledger if no session has used it for {@code expiryNs} and nothing of its
     * emitter is still in flight here: nobody needs its cursor any more.
     *
     * @return true when it was retired (the caller drops it from the table)
     */
    boolean retireIfIdle(long nowNs, long expiryNs) {
        if (retired || session != null || inFlight != 0 || !resendsInFlight.isEmpty() || nowNs - idleSinceNs < expiryNs) {
            return false;
        }
        retired = true;
        return true;
    }

    /** True once retired: a session must take a fresh ledger from the table. Any thread. */
    boolean isRetired() {
        return retired;
    }

    /**
     * The highest sequence settled for WELCOME's {@code ackedThrough}: below any resend still
     * in flight, and below any sequence refused within a window of the cursor, whose NACK the
     * emitter may have lost with its last connection ({@link #forEachRecentRefusal} sends it
     * again on the new one).
     */
    long ackedThrough() {
        long[] lowest = {cursor + 1};
        LongHashSet.LongIterator it = resendsInFlight.iterator();
        while (it.hasNext()) {
            lowest[0] = Math.min(lowest[0], it.nextValue());
        }
        forEachRecentRefusal((sequence, code) -> lowest[0] = Math.min(lowest[0], sequence));
        return lowest[0] - 1;
    }

    /** Receives a refusal from {@link #forEachRecentRefusal}. */
    @FunctionalInterface
    interface RefusalVisitor {
        void onRefusal(long sequence, ErrorCode code);
    }

    /**
     * Visits the sequences refused within a window of the cursor, in no particular order: a
     * new connection NACKs them again before any ACK, since the emitter may have lost their
     * NACKs with its last connection and would take the next cumulative ACK as settling them.
     * Older ones are outside any window the emitter can still have unsettled.
     */
    void forEachRecentRefusal(RefusalVisitor visitor) {
        long recent = cursor - states.length;
        refusedBelowCursor.forEachLong((sequence, code) -> {
            if (sequence > recent) {
                visitor.onRefusal(sequence, ErrorCode.of((int) code));
            }
        });
        // The whole ring, not the current window: a reconnect may ask for a smaller one than
        // the refusals above the cursor were made under.
        for (long sequence = cursor + 1; sequence <= cursor + states.length; sequence++) {
            int i = (int) (sequence & mask);
            if (states[i] == REFUSED) {
                visitor.onRefusal(sequence, ErrorCode.of(refusedCodes[i]));
            }
        }
    }

    public long cursor() {
        return cursor;
    }

    /** Packets of this emitter accepted and not yet safe. */
    public long inFlight() {
        return inFlight;
    }

    /** Decides what to do with a well-formed PACKET carrying {@code sequence} (at least 1). */
    Admission admit(long sequence) {
        if (unanchored) {
            // An emitter unknown here (a restarted distributor) resumes at its lowest unacknowledged
            // sequence, in order: take everything below its first packet as settled elsewhere.
            unanchored = false;
            anchor = sequence;
            cursor = sequence - 1;
            lastAckSent = Math.max(lastAckSent, cursor);
            refusedBeforeAnchor.forEachLong((r, code) -> {
                if (r < sequence) { // the cursor passes it: settled (refused), and a resend of it is new
                    rememberRefused(r, (int) code);
                } else if (r > sequence && r <= cursor + window) { // refused in the window: the cursor passes it in turn
                    int i = (int) (r & mask);
                    states[i] = REFUSED;
                    refusedCodes[i] = (byte) code;
                }
            });
            refusedBeforeAnchor.clear();
        }
        if (sequence <= cursor) {
            if (refusedBelowCursor.remove(sequence) != -1) {
                resendsInFlight.add(sequence);
                inFlight++;
                return Admission.ACCEPT;
            }
            if (sequence < anchor && anchor - sequence <= states.length) {
                // Below the first sequence seen here this ledger knows nothing: the emitter resends
                // what it holds unsettled, in any order, so take it as new (at least once) and hold
                // the cumulative ACK until it is safe, as for any resend.
                if (resendsInFlight.contains(sequence)) {
                    return Admission.HELD;
                }
                if (takenBelowAnchor.add(sequence)) {
                    resendsInFlight.add(sequence);
                    inFlight++;
                    return Admission.ACCEPT;
                }
            }
            ackWanted = true;
            return Admission.DUPLICATE;
        }
        if (sequence > cursor + window) {
            return Admission.OUT_OF_WINDOW;
        }
        int i = (int) (sequence & mask);
        byte s = states[i];
        if (s == IN_FLIGHT || s == SAFE) {
            return Admission.HELD;
        }
        states[i] = IN_FLIGHT;
        inFlight++;
        return Admission.ACCEPT;
    }

    /** Records that the distributor NACKed {@code sequence} with {@code code}; it counts as settled (refused) once the cursor passes. */
    void refuse(long sequence, ErrorCode code) {
        if (unanchored) {
            // A refused first packet may carry a corrupt sequence: anchor on the next good one,
            // and remember this one so that a resend of it then counts as new, not as settled.
            if (sequence > 0 && refusedBeforeAnchor.size() < 64) {
                refusedBeforeAnchor.put(sequence, code.value());
            }
            return;
        }
        if (sequence <= cursor || sequence > cursor + window) {
            return;
        }
        int i = (int) (sequence & mask);
        if (states[i] == NONE || states[i] == REFUSED) {
            states[i] = REFUSED;
            refusedCodes[i] = (byte) code.value();
            advance();
        }
    }

    /**
     * Records that the packet with {@code sequence} is safe.
     *
     * @return true when this ledger now owes its emitter an ACK and was not yet queued for one
     */
    public boolean onSafe(long sequence) {
        inFlight--;
        if (sequence <= cursor) {
            resendsInFlight.remove(sequence);
            ackWanted = true; // the cursor stays where it was, but only an ACK after the resend settles it
        } else {
            states[(int) (sequence & mask)] = SAFE;
            advance();
        }
        if (ackQueued) {
            return false;
        }
        ackQueued = true;
        return true;
    }

    private void advance() {
        while (true) {
            long next = cursor + 1;
            int i = (int) (next & mask);
            byte s = states[i];
            if (s == SAFE) {
                states[i] = NONE;
            } else if (s == REFUSED) {
                states[i] = NONE;
                rememberRefused(next, refusedCodes[i]);
            } else {
                return;
            }
            cursor = next;
        }
    }

    private void rememberRefused(long sequence, int code) {
        refusedBelowCursor.put(sequence, code);
        refusedOrder.addLong(sequence);
        while (refusedBelowCursor.size() > MAX_REFUSED_REMEMBERED) {
            refusedBelowCursor.remove(refusedOrder.pollLong());
        }
        if (refusedOrder.size() > 2 * MAX_REFUSED_REMEMBERED) {
            // Drop entries already removed from the set (re-accepted resends) from the order queue.
            int n = refusedOrder.size();
            for (int k = 0; k < n; k++) {
                long s = refusedOrder.pollLong();
                if (refusedBelowCursor.containsKey(s)) {
                    refusedOrder.addLong(s);
                }
            }
        }
    }

    /**
     * Writes and flushes one ACK for the current cursor if one is owed and allowed: never
     * while a resend of a refused sequence is in flight.
     */
    public void flushAck() {
        ackQueued = false;
        EmitterSession s = session;
        if (s == null || !resendsInFlight.isEmpty()) {
            return;
        }
        if (cursor > lastAckSent || (ackWanted && cursor > 0)) {
            ackWanted = false;
            lastAckSent = cursor;
            s.writeAckAndFlush(cursor);
        }
    }

    /** Undoes an {@link Admission#ACCEPT} for a packet that could not be taken after all, and refuses it with {@code code}. */
    void rejectAccepted(long sequence, ErrorCode code) {
        inFlight--;
        if (resendsInFlight.remove(sequence)) {
            refusedBelowCursor.put(sequence, code.value());
            return;
        }
        if (sequence > cursor && sequence <= cursor + window) {
            states[(int) (sequence & mask)] = NONE;
            refuse(sequence, code);
        }
    }
}
