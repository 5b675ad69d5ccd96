package com.nholuongut.ecs.app;

import com.nholuongut.ecs.aws.AwsClients;
import com.nholuongut.ecs.cli.AgentCommand;
import com.nholuongut.ecs.doctor.PortProbe;
import java.util.Map;
import java.util.OptionalInt;
import picocli.CommandLine;

/** Entry point of {@code agent.jar}: builds the command line on the real wiring and exits with its code. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        OptionalInt relaunched = Relaunch.ifPlain(args);
        if (relaunched.isPresent()) {
            System.exit(relaunched.getAsInt());
        }
        System.exit(commandLine(System.getenv(), AwsClients.Settings.STANDARD, PortProbe.TCP).execute(args));
    }

    /**
     * The command line over the real wiring, reading {@code env} as its environment: tests pass their own,
     * with an emulator's endpoint and credentials in {@code aws} and a port probe that opens no socket.
     */
    public static CommandLine commandLine(Map<String, String> env, AwsClients.Settings aws, PortProbe probe) {
        return AgentCommand.commandLine(new Wiring(env, aws, probe));
    }
}
