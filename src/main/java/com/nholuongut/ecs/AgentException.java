package com.nholuongut.ecs;

/**
 * A failure the agent reports as one line on stderr and a documented exit code (SPEC, "Exit codes").
 */
public abstract class AgentException extends RuntimeException {

    protected AgentException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** The process exit code this failure maps to. */
    public abstract int exitCode();

    /** Folds a message onto one line: SDK messages sometimes carry newlines, and stderr promises one. */
    public static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        return message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
