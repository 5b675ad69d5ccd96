package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.ExitCodes;

/** The instance has neither the group tag nor an Auto Scaling Group (exit 3). */
public final class NoPeerGroupException extends AgentException {

    public NoPeerGroupException(String message) {
        super(message, null);
    }

    @Override
    public int exitCode() {
        return ExitCodes.NO_PEER_GROUP;
    }
}
