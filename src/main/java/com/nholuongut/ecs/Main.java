package com.nholuongut.ecs;

import com.nholuongut.ecs.cli.AgentCommand;
import java.util.List;
import sun.misc.Signal;

/** Entry point of {@code agent.jar}: builds the command line and exits with its code. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        if (List.of(args).contains("run")) {
            // The daemon leaves with 0 on SIGTERM (SPEC), also during start-up, until RunCommand takes the
            // signal over once its daemon exists: nothing has been started yet, so there is nothing to wait for.
            for (String name : List.of("TERM", "INT")) {
                Signal.handle(new Signal(name), signal -> Runtime.getRuntime().halt(0));
            }
        }
        System.exit(AgentCommand.commandLine(System.getenv()).execute(args));
    }
}
