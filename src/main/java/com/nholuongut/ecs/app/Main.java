package com.nholuongut.ecs.app;

import com.nholuongut.ecs.cli.AgentCommand;
import com.nholuongut.ecs.doctor.PortProbe;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Consumer;
import picocli.CommandLine;

/** Entry point of {@code agent.jar}: runs the command line on the real wiring and exits with its code. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        OptionalInt relaunched = Relaunch.ifPlain(args);
        if (relaunched.isPresent()) {
            System.exit(relaunched.getAsInt());
        }
        System.exit(execute(System.getenv(), PortProbe.TCP, commandLine -> { }, args));
    }

    /**
     * Runs {@code args} on the real wiring, reading {@code env} as its environment, and closes what the wiring
     * made. Tests pass their own environment, a port probe that opens no socket, and {@code setUp} to capture
     * the output; AWS endpoints and credentials are the SDK's standard settings in either case.
     */
    public static int execute(Map<String, String> env, PortProbe probe, Consumer<CommandLine> setUp, String... args) {
        try (Wiring wiring = new Wiring(env, probe)) {
            CommandLine commandLine = AgentCommand.commandLine(wiring);
            setUp.accept(commandLine);
            return commandLine.execute(args);
        }
    }
}
