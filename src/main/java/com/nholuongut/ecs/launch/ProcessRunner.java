package com.nholuongut.ecs.launch;

import java.time.Duration;
import java.util.List;

/** One-method seam for running a tool: an argument list, never a shell. */
public interface ProcessRunner {

    /**
     * What a tool run produced.
     *
     * @param exitCode the exit code (-1 when it could not be started or timed out)
     * @param stdout   its standard output
     * @param stderr   its standard error, or why it could not run
     * @param duration how long it took
     */
    record Result(int exitCode, String stdout, String stderr, Duration duration) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code argv} to completion or until {@code timeout}. Never throws for a failing tool. */
    Result run(List<String> argv, Duration timeout);
}
