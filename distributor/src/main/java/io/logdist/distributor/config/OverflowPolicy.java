package io.logdist.distributor.config;

/**
 * What the distributor does with a packet whose analyzer's queue is over
 * {@code --queue-bytes}: {@code block} slows the emitter (it stops reading that
 * connection until there is room; the emitter's window does the rest), {@code reject}
 * NACKs it with OVERLOADED and a retry time, {@code shed:N} NACKs (OVERLOADED) and counts
 * packets of priority numerically above N and blocks for the rest.
 */
public record OverflowPolicy(Mode mode, int shedAbove) {
    /** The policy's kind. */
    public enum Mode { BLOCK, REJECT, SHED }

    public static final OverflowPolicy BLOCK = new OverflowPolicy(Mode.BLOCK, 255);

    public OverflowPolicy {
        if (shedAbove < 0 || shedAbove > 255) {
            throw new IllegalArgumentException("shed priority " + shedAbove + " is outside 0..255");
        }
    }

    /** Parses {@code block}, {@code reject} or {@code shed:N}. */
    public static OverflowPolicy parse(String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.equals("block")) {
            return BLOCK;
        }
        if (v.equals("reject")) {
            return new OverflowPolicy(Mode.REJECT, 255);
        }
        if (v.startsWith("shed:")) {
            try {
                return new OverflowPolicy(Mode.SHED, Integer.parseInt(v.substring(5)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + value + "': shed needs a priority, e.g. shed:100");
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not an overflow policy; use block, reject or shed:PRIORITY");
    }

    /** True when a packet of {@code priority} is dropped (NACKed) rather than waited for. */
    public boolean sheds(int priority) {
        return mode == Mode.SHED && priority > shedAbove;
    }

    @Override
    public String toString() {
        return switch (mode) {
            case BLOCK -> "block";
            case REJECT -> "reject";
            case SHED -> "shed:" + shedAbove;
        };
    }
}
