package com.nholuongut.ecs;

/**
 * A command line that parses but cannot work (exit 2): {@code --instance-id} without a region, malformed,
 * or naming no instance.
 */
public final class UsageException extends AgentException {

    public UsageException(String message) {
        super(message, null);
    }

    @Override
    public int exitCode() {
        return ExitCodes.USAGE;
    }

    /** Nothing changes by trying again: the daemon ends with it. */
    @Override
    public boolean retryable() {
        return false;
    }
}
