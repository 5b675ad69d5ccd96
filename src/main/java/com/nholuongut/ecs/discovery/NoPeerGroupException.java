package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.ExitCodes;
import org.slf4j.event.Level;

/** The instance has neither the group tag nor an Auto Scaling Group (exit 3). */
public final class NoPeerGroupException extends AgentException {

    public NoPeerGroupException(String message) {
        super(message, null);
    }

    @Override
    public int exitCode() {
        return ExitCodes.NO_PEER_GROUP;
    }

    /** An answer, not an outage: retried (it can be fixed meanwhile), but logged as an ERROR. */
    @Override
    public Level severity() {
        return Level.ERROR;
    }
}
