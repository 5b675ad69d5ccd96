package com.nholuongut.ecs.aws;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.ExitCodes;

/** AWS refused an action: the instance role lacks it or the credentials are not accepted (exit 4). */
public final class AccessDeniedException extends AgentException {

    private final String action;
    private final String errorCode;

    /** @param errorCode AWS's error code, e.g. {@code UnauthorizedOperation} */
    public AccessDeniedException(String action, String errorCode, String message, Throwable cause) {
        super(message, cause);
        this.action = action;
        this.errorCode = errorCode;
    }

    /** AWS's error code, e.g. {@code UnauthorizedOperation}; may be null. */
    public String errorCode() {
        return errorCode;
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
