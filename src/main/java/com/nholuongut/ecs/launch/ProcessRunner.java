package com.nholuongut.ecs.launch;

import java.time.Duration;
import java.util.List;
import java.util.Map;

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

    /**
     * Runs {@code argv} to completion or until {@code timeout}, with {@code env} added to the agent's own
     * environment (how a secret reaches a tool: never on its command line). Never throws for a failing tool.
     */
    Result run(List<String> argv, Map<String, String> env, Duration timeout);

    /** {@link #run(List, Map, Duration)} with nothing added to the environment. */
    default Result run(List<String> argv, Duration timeout) {
        return run(argv, Map.of(), timeout);
    }
}
