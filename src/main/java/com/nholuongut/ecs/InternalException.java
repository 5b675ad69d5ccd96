package com.nholuongut.ecs;

/**
 * A failure the agent did not foresee (a bug, or an answer no rule covers), wrapped so that it carries the same
 * decisions as the others: exit 1 for a command, retried with a WARN by the daemon.
 */
public final class InternalException extends AgentException {

    public InternalException(RuntimeException cause) {
        super("unexpected " + oneLine(String.valueOf(cause)), cause);
    }

    @Override
    public int exitCode() {
        return ExitCodes.INTERNAL;
    }
}
