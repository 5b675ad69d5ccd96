package com.nholuongut.ecs.cli;

import ch.qos.logback.classic.Level;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.doctor.Check;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code doctor}: one line per preflight check, a summary, exit 0 only when every check passed. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check what the agent needs: IMDSv2, credentials, each IAM action, the peer group,",
            "TCP 6783 on every peer (and 4040 on the Scope app members), the tools. Exit 0 only if all pass, else 1."})
final class DoctorCommand implements Callable<Integer> {

    private final Services services;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (one line a check) or json. Default: ${DEFAULT-VALUE}.")
    private DiscoverCommand.Format output;

    DoctorCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        Logging.configure(false, common.verbose ? Level.DEBUG : Level.ERROR);
        AgentConfig config = common.loadConfig(services.env());
        List<Check> checks = services.doctor(common.identityFlags(), config);
        long failed = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
        PrintWriter out = spec.commandLine().getOut();
        if (output == DiscoverCommand.Format.json) {
            out.println(JsonOutput.doctor(checks, failed == 0));
        } else {
            for (Check c : checks) {
                out.printf("%-4s %s: %s%n", switch (c.status()) {
                    case PASS -> "ok";
                    case FAIL -> "FAIL";
                    case SKIP -> "skip";
                    case WARN -> "warn";
                }, c.name(), c.detail());
            }
            out.println(failed == 0 ? "doctor: all " + checks.size() + " checks passed"
                    : "doctor: " + failed + " of " + checks.size() + " checks failed");
        }
        out.flush();
        return failed == 0 ? 0 : 1;
    }
}
