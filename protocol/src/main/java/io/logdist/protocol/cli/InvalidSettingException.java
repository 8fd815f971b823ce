package io.logdist.protocol.cli;

/**
 * A setting outside its range, thrown by a component's configuration record. Carries the
 * setting's name, value and rule apart, so that a command line can say the same thing in
 * terms of the flag, or the config file and key, that the value came from.
 *
 * <p>Immutable; any thread.
 */
public final class InvalidSettingException extends IllegalArgumentException {
    private final String setting;
    private final String value;
    private final String rule;

    /**
     * @param setting the setting's name, as a config file writes it (e.g. {@code emitterWindow})
     * @param value   the value refused, as text
     * @param rule    what the value must be, e.g. {@code must be 1..65536}
     */
    public InvalidSettingException(String setting, String value, String rule) {
        super(setting + " " + rule + " (was " + value + ")");
        this.setting = setting;
        this.value = value;
        this.rule = rule;
    }

    /** Throws unless {@code ok}. */
    public static void check(boolean ok, String setting, Object value, String rule) {
        if (!ok) {
            throw new InvalidSettingException(setting, String.valueOf(value), rule);
        }
    }

    public String setting() {
        return setting;
    }

    public String value() {
        return value;
    }

    public String rule() {
        return rule;
    }

    /** The same refusal in the words of a command-line option, e.g. {@code --window must be 1..65536 (was 0)}. */
    public String forOption(String option) {
        return option + " " + rule + " (was " + value + ")";
    }
}
