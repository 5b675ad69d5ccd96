package com.nholuongut.ecs.cli;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.ExitCodes;

/** A command line that parses but cannot work, e.g. {@code --instance-id} without a region (exit 2). */
final class UsageException extends AgentException {

    UsageException(String message) {
        super(message, null);
    }

    @Override
    public int exitCode() {
        return ExitCodes.USAGE;
    }
}
