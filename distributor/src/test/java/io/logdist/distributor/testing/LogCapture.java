package io.logdist.distributor.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What the distributor logs at INFO and above while open, instead of the test log (where
 * only warnings go); closing restores the test log. Events may come from any thread.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Queue<String> messages = new ConcurrentLinkedQueue<>();
    private final Logger logger;
    private final Level level;
    private final boolean additive;

    private LogCapture(Logger logger) {
        this.logger = logger;
        this.level = logger.getLevel();
        this.additive = logger.isAdditive();
    }

    /** Starts capturing the {@code io.logdist.distributor} loggers. */
    public static LogCapture open() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        LogCapture capture = new LogCapture(context.getLogger("io.logdist.distributor"));
        capture.setContext(context);
        capture.start();
        capture.logger.addAppender(capture);
        capture.logger.setLevel(Level.INFO);
        capture.logger.setAdditive(false);
        return capture;
    }

    @Override
    protected void append(ILoggingEvent event) {
        messages.add(event.getFormattedMessage());
    }

    /** The messages so far that contain every one of {@code parts}, oldest first. */
    public List<String> containing(String... parts) {
        return messages.stream().filter(m -> List.of(parts).stream().allMatch(m::contains)).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        logger.setLevel(level);
        logger.setAdditive(additive);
        stop();
    }
}
