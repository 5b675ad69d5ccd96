package com.nholuongut.ecs.cli;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.ExitCodes;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The top command, {@code java -jar agent.jar}: holds the subcommands and maps failures to exit codes.
 */
@Command(name = "agent.jar",
        mixinStandardHelpOptions = true,
        versionProvider = AgentCommand.Version.class,
        description = "Peer discovery for nholuongut Net and Scope on Amazon ECS.",
        subcommands = {DiscoverCommand.class, RunCommand.class, DoctorCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok (a group with no other member is ok)",
            "1:internal error",
            "2:usage error",
            "3:no peer group (tag the instance or use an Auto Scaling Group)",
            "4:AWS denied an action (the message names it)",
            "5:AWS or IMDS unreachable or failing after retries",
            "78:invalid configuration (file, line and key named)"})
public final class AgentCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** The common options given before the command's name ({@code agent.jar -v discover}). */
    @CommandLine.Mixin
    private CommonOptions common;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: discover, run or doctor");
    }

    /** A command line whose subcommands work through {@code services} (the real wiring, or a test's). */
    public static CommandLine commandLine(Services services) {
        AgentCommand top = new AgentCommand();
        CommandLine cl = new CommandLine(top, new Factory(services));
        cl.setExecutionStrategy(parseResult -> {
            // Options before the command's name reach the command's own, whichever command it is.
            CommandLine.ParseResult sub = parseResult.subcommand();
            if (sub != null && sub.commandSpec().userObject() instanceof RunCommand && !sub.isUsageHelpRequested()
                    && !sub.isVersionHelpRequested()) {
                RunCommand.exitOnSignalDuringStartUp();
            }
            if (sub != null) {
                sub.commandSpec().mixins().values().stream()
                        .filter(m -> m.userObject() instanceof CommonOptions)
                        .forEach(m -> ((CommonOptions) m.userObject()).inherit(top.common));
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
        cl.setExecutionExceptionHandler(AgentCommand::handle);
        cl.setParameterExceptionHandler((ex, args) -> {
            // One line, like every other error; --help has the usage.
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + AgentException.oneLine(ex.getMessage()) + " (see --help)");
            err.flush();
            return ExitCodes.USAGE;
        });
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        boolean verbose = parseResult.subcommands().stream()
                .anyMatch(p -> p.hasMatchedOption("--verbose")) || parseResult.hasMatchedOption("--verbose");
        int code;
        if (e instanceof AgentException agent) {
            err.println("error: " + agent.getMessage());
            code = agent.exitCode();
        } else {
            err.println("internal error: " + AgentException.oneLine(String.valueOf(e)));
            code = ExitCodes.INTERNAL;
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** Gives each command the services it runs on. */
    private static final class Factory implements CommandLine.IFactory {
        private final Services services;

        Factory(Services services) {
            this.services = services;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == DiscoverCommand.class) {
                return cls.cast(new DiscoverCommand(services));
            }
            if (cls == RunCommand.class) {
                return cls.cast(new RunCommand(services));
            }
            if (cls == DoctorCommand.class) {
                return cls.cast(new DoctorCommand(services));
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AgentCommand.class.getPackage().getImplementationVersion();
            return new String[] {"nholuongut ECS agent " + (v == null ? "development" : v)};
        }
    }
}
