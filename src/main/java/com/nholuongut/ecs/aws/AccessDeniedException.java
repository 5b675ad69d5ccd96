package com.nholuongut.ecs.aws;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.ExitCodes;
import org.slf4j.event.Level;

/** AWS refused an action: the instance role lacks it or the credentials are not accepted (exit 4). */
public final class AccessDeniedException extends AgentException {

    private final String errorCode;

    /** @param errorCode AWS's error code, e.g. {@code UnauthorizedOperation} */
    public AccessDeniedException(String errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    /** AWS's error code, e.g. {@code UnauthorizedOperation}; may be null. */
    public String errorCode() {
        return errorCode;
    }

    @Override
    public int exitCode() {
        return ExitCodes.AWS_DENIED;
    }

    /** An answer, not an outage: retried (it can be fixed meanwhile), but logged as an ERROR. */
    @Override
    public Level severity() {
        return Level.ERROR;
    }
}
