package com.nholuongut.ecs;

/** AWS or the instance metadata service could not be reached, or kept failing after retries (exit 5). */
public final class UnavailableException extends AgentException {

    private final boolean throttled;

    public UnavailableException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /** @param throttled AWS answered with a throttling error (RequestLimitExceeded, Throttling) */
    public UnavailableException(String message, Throwable cause, boolean throttled) {
        super(message, cause);
        this.throttled = throttled;
    }

    /** True when AWS throttled us: the account's shared request budget is exhausted. */
    public boolean throttled() {
        return throttled;
    }

    @Override
    public int exitCode() {
        return ExitCodes.UNAVAILABLE;
    }
}
