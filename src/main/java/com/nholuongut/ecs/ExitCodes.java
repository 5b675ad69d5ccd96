package com.nholuongut.ecs;

/** The exit codes of SPEC.md; the systemd unit's {@code RestartPreventExitStatus=78} depends on them. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int INTERNAL = 1;
    public static final int USAGE = 2;
    public static final int NO_PEER_GROUP = 3;
    public static final int AWS_DENIED = 4;
    public static final int UNAVAILABLE = 5;
    public static final int CONFIG = 78;

    private ExitCodes() {
    }
}
