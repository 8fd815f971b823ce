package io.logdist.distributor.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

import java.net.URL;
import java.util.Locale;

/**
 * How the distributor writes its log: {@link #TEXT} (one human-readable line per event,
 * {@code logback.xml}) or {@link #JSON} (one JSON object per line from logback's
 * {@code JsonEncoder}, {@code logback-json.xml}; MDC entries and SLF4J key-value pairs
 * such as {@code analyzer}, {@code emitterId} and {@code connection} become fields).
 *
 * <p>Thread: {@link #apply()} reconfigures logging for the whole process; call it once, at
 * start, from the main thread.
 */
public enum LogFormat {
    TEXT("/logback.xml"),
    JSON("/logback-json.xml");

    private final String resource;

    LogFormat(String resource) {
        this.resource = resource;
    }

    /** Parses {@code text} or {@code json} (any case); throws with the accepted values otherwise. */
    public static LogFormat parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("logFormat='" + value + "' must be text or json");
        }
    }

    /**
     * Reconfigures logback from this format's configuration file on the classpath.
     *
     * @return false when logging is not logback (nothing changed)
     */
    public boolean apply() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return false;
        }
        URL url = LogFormat.class.getResource(resource);
        if (url == null) {
            throw new IllegalStateException(resource + " is missing from the classpath");
        }
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(url);
        } catch (JoranException e) {
            throw new IllegalStateException("cannot configure logging from " + url + ": " + e.getMessage(), e);
        }
        return true;
    }
}
