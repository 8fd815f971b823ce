package io.logdist.protocol.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Runs a picocli command the way every logdist program does: durations and addresses
 * parse the same way everywhere, and a user mistake prints one readable line (plus a
 * hint to use --help) and exits 2 instead of a stack trace.
 */
public final class CommandLines {
    private CommandLines() {
    }

    /** System property naming the command as the user runs it, e.g. {@code scripts/logdist emitter}, for usage and hints. */
    public static final String COMMAND_PROPERTY = "logdist.command";

    public static CommandLine create(Object command) {
        CommandLine cl = new CommandLine(command);
        String shownAs = System.getProperty(COMMAND_PROPERTY);
        if (shownAs != null && !shownAs.isBlank()) {
            cl.setCommandName(shownAs);
        }
        cl.registerConverter(Duration.class, new DurationConverter());
        cl.registerConverter(HostPort.class, new HostPort.Converter());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + ex.getMessage());
            err.println("try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the options");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof UserError) {
                commandLine.getErr().println("error: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    /** Parses {@code args}, runs the command and exits the JVM with its exit code. */
    public static void run(Object command, String[] args) {
        System.exit(create(command).execute(args));
    }

    /** A mistake of the user's (bad file, bad value): printed as one line, exit code 2. */
    public static final class UserError extends RuntimeException {
        public UserError(String message) {
            super(message, null, false, false);
        }
    }
}
