package com.nholuongut.ecs;

import com.nholuongut.ecs.cli.AgentCommand;

/** Entry point of {@code agent.jar}: builds the command line and exits with its code. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(AgentCommand.commandLine(System.getenv()).execute(args));
    }
}
