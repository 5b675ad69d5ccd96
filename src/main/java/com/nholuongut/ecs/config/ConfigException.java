package com.nholuongut.ecs.config;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.ExitCodes;

/** Invalid configuration: the message names where the value came from and the key (exit 78, not restarted). */
public final class ConfigException extends AgentException {

    public ConfigException(String message) {
        super(message, null);
    }

    @Override
    public int exitCode() {
        return ExitCodes.CONFIG;
    }

    /** Nothing changes by trying again: the daemon ends with it. */
    @Override
    public boolean retryable() {
        return false;
    }
}
