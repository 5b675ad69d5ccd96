package com.nholuongut.ecs.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;

/**
 * Points logback at the command's stream: stderr for {@code discover} and {@code doctor} (their stdout is
 * output), stdout for the daemon (journald stamps the lines). No timestamps: journald adds them.
 */
final class Logging {

    private Logging() {
    }

    /**
     * @param toStdout  log to stdout instead of stderr
     * @param ownLevel  the agent's level (DEBUG with {@code --verbose})
     */
    static void configure(boolean toStdout, Level ownLevel) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            install(context, toStdout, ownLevel);
        }
    }

    /** Replaces the console appender of {@code context}. */
    static void install(LoggerContext context, boolean toStdout, Level ownLevel) {
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%-5level %msg%n");
        encoder.start();

        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget(toStdout ? "System.out" : "System.err");
        console.setEncoder(encoder);
        console.start();

        root.addAppender(console);
        root.setLevel(ownLevel == Level.DEBUG ? Level.INFO : Level.WARN);
        context.getLogger("com.nholuongut").setLevel(ownLevel);
    }
}
