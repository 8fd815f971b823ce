package io.logdist.emitter;

import java.util.Locale;
import java.util.Objects;

/**
 * How an emitter gives its packets a priority (0 is the most urgent, 255 the least),
 * written on the command line as one of:
 * <ul>
 *   <li>{@code fixed:N}: every packet gets N (0..255);</li>
 *   <li>{@code random}: uniform over 0..255;</li>
 *   <li>{@code weighted}: skewed to urgent: 95% of packets over 0..7 with
 *       P(k) proportional to 1/(k+1), the other 5% uniform over 8..255;</li>
 *   <li>{@code cyclic}: 0, 1, ..., 255, 0, ...</li>
 * </ul>
 *
 * <p>Immutable; any thread. The per-connection generator it makes is not.
 *
 * @param mode          the rule
 * @param fixedPriority the priority for {@link Mode#FIXED}; 0 for the other modes
 */
public record PrioritySpec(Mode mode, int fixedPriority) {
    /** The rules a {@link PrioritySpec} can follow. */
    public enum Mode { FIXED, RANDOM, WEIGHTED, CYCLIC }

    private static final String FORMS = "fixed:N (N 0..255), random, weighted or cyclic";

    public PrioritySpec {
        Objects.requireNonNull(mode, "mode");
        if (fixedPriority < 0 || fixedPriority > 255) {
            throw new IllegalArgumentException("fixedPriority=" + fixedPriority + " is outside 0..255");
        }
        if (mode != Mode.FIXED && fixedPriority != 0) {
            throw new IllegalArgumentException("fixedPriority=" + fixedPriority + " only goes with mode FIXED");
        }
    }

    public static PrioritySpec fixed(int priority) {
        return new PrioritySpec(Mode.FIXED, priority);
    }

    public static PrioritySpec random() {
        return new PrioritySpec(Mode.RANDOM, 0);
    }

    public static PrioritySpec weighted() {
        return new PrioritySpec(Mode.WEIGHTED, 0);
    }

    public static PrioritySpec cyclic() {
        return new PrioritySpec(Mode.CYCLIC, 0);
    }

    /**
     * Parses {@code fixed:N}, {@code random}, {@code weighted} or {@code cyclic}
     * (case-insensitive); anything else throws {@link IllegalArgumentException} saying
     * what is accepted.
     */
    public static PrioritySpec parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("priority is missing; write " + FORMS);
        }
        String s = spec.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "random":
                return random();
            case "weighted":
                return weighted();
            case "cyclic":
                return cyclic();
            default:
                break;
        }
        if (s.startsWith("fixed:")) {
            String n = s.substring("fixed:".length());
            int priority;
            try {
                priority = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("priority '" + spec + "' has no number after fixed:; write " + FORMS);
            }
            if (priority < 0 || priority > 255) {
                throw new IllegalArgumentException("priority '" + spec + "' is outside 0..255");
            }
            return fixed(priority);
        }
        throw new IllegalArgumentException("priority '" + spec + "' is not " + FORMS);
    }

    /** A fresh generator following this rule, for one connection's event loop. */
    PriorityChooser newChooser(long seed) {
        return new PriorityChooser(this, seed);
    }

    /** The command-line form, e.g. {@code fixed:3} or {@code weighted}. */
    @Override
    public String toString() {
        return mode == Mode.FIXED ? "fixed:" + fixedPriority : mode.name().toLowerCase(Locale.ROOT);
    }
}
