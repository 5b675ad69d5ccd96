package com.nholuongut.ecs.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/** What one class logs during each test ({@code @RegisterExtension}), as formatted lines. */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level before;

    private LogCapture(String source) {
        this.logger = (Logger) LoggerFactory.getLogger(source);
    }

    public static LogCapture of(Class<?> source) {
        return new LogCapture(source.getName());
    }

    /** By logger name, for a class another package cannot name. */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        appender.list.clear();
        appender.start();
        logger.addAppender(appender);
        // INFO and above, whatever the agent's logging set-up left the logger at: the lines a user sees.
        before = logger.getLevel();
        logger.setLevel(Level.INFO);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
        logger.setLevel(before);
    }

    /** The lines logged so far in this test. */
    public List<String> lines() {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Forgets the lines so far. */
    public void clear() {
        appender.list.clear();
    }
}
