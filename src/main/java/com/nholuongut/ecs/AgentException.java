package com.nholuongut.ecs;

import org.slf4j.event.Level;

/**
 * A failure the agent reports as one line on stderr and a documented exit code (SPEC, "Exit codes"). It
 * carries its own decision for the daemon: whether trying again may cure it ({@link #retryable()}) and how
 * loud the first failure of a streak is logged ({@link #severity()}); exit codes are chosen at the command's
 * edge only.
 */
public abstract class AgentException extends RuntimeException {

    protected AgentException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** The process exit code this failure maps to. */
    public abstract int exitCode();

    /**
     * Whether the daemon retries after it: true for an outage, throttling, and for answers that can be fixed
     * while it waits (a tag, a policy); false for a configuration or usage error, which ends the daemon.
     */
    public boolean retryable() {
        return true;
    }

    /**
     * How the first failure of a streak is logged: WARN for AWS or IMDS being away (the daemon keeps what it
     * has), ERROR for an answer that needs someone to fix something (no group, an action denied).
     */
    public Level severity() {
        return Level.WARN;
    }

    /** Folds a message onto one line: SDK messages sometimes carry newlines, and stderr promises one. */
    public static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        return message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
