package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.ExitCodes;

/** AWS refused an action: the instance role lacks it or the credentials are not accepted (exit 4). */
public final class AccessDeniedException extends AgentException {

    private final String action;

    public AccessDeniedException(String action, String message, Throwable cause) {
        super(message, cause);
        this.action = action;
    }

    /** The IAM action that was refused, e.g. {@code ec2:DescribeInstances}. */
    public String action() {
        return action;
    }

    @Override
    public int exitCode() {
        return ExitCodes.AWS_DENIED;
    }
}
