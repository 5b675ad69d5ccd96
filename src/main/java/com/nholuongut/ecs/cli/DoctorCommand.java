package com.nholuongut.ecs.cli;

import ch.qos.logback.classic.Level;
import com.nholuongut.ecs.Json;
import com.nholuongut.ecs.config.AgentConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code doctor}: one line per preflight check, a summary, exit 0 only when every check passed. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check what the agent needs: IMDSv2, credentials, each IAM action, the peer group,",
            "TCP 6783 (and 4040 for Scope standalone) on every peer, the tools. Exit 0 only if all pass, else 1."})
final class DoctorCommand implements Callable<Integer> {

    private final Map<String, String> env;
    private final PortProbe probe;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (one line a check) or json. Default: ${DEFAULT-VALUE}.")
    private DiscoverCommand.Format output;

    DoctorCommand(Map<String, String> env, PortProbe probe) {
        this.env = env;
        this.probe = probe;
    }

    @Override
    public Integer call() {
        Logging.configure(false, common.verbose ? Level.DEBUG : Level.ERROR);
        AgentConfig config = common.loadConfig(env);
        List<Doctor.Check> checks = new Doctor(common, config, env, probe).run();
        long failed = checks.stream().filter(c -> c.status() == Doctor.Status.FAIL).count();
        PrintWriter out = spec.commandLine().getOut();
        if (output == DiscoverCommand.Format.json) {
            out.println(json(checks, failed));
        } else {
            for (Doctor.Check c : checks) {
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

    private static String json(List<Doctor.Check> checks, long failed) {
        StringBuilder sb = new StringBuilder("{\"passed\": ").append(failed == 0).append(", \"checks\": [");
        String sep = "";
        for (Doctor.Check c : checks) {
            sb.append(sep).append("\n  {\"name\": ").append(Json.str(c.name()))
                    .append(", \"status\": ").append(Json.str(c.status().name().toLowerCase(java.util.Locale.ROOT)))
                    .append(", \"detail\": ").append(Json.str(c.detail())).append('}');
            sep = ",";
        }
        return sb.append("]}").toString();
    }
}
