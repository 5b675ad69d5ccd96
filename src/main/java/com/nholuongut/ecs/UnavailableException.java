package com.nholuongut.ecs;

/** AWS or the instance metadata service could not be reached, or kept failing after retries (exit 5). */
public final class UnavailableException extends AgentException {

    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int exitCode() {
        return ExitCodes.UNAVAILABLE;
    }
}
