package com.nholuongut.ecs.cli;

import ch.qos.logback.classic.Level;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.PeerSource;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code discover}: prints the peers once and exits; stdout holds nothing but the result. */
@Command(name = "discover", mixinStandardHelpOptions = true,
        description = {"Print the peers of this instance and exit.",
            "Text: one address a line, so `nholuongut launch $(java -jar agent.jar discover)` works."})
final class DiscoverCommand implements Callable<Integer> {

    /** The two output formats. */
    enum Format { text, json }

    private final Map<String, String> env;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (one address a line) or json. Default: ${DEFAULT-VALUE}.")
    private Format output;

    DiscoverCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        Logging.configure(false, common.verbose ? Level.DEBUG : Level.WARN);
        AgentConfig config = common.loadConfig(env);
        Discovery discovery;
        try (PeerSource source = PeerSources.open(common, config, env)) {
            discovery = source.discover();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output == Format.json) {
            out.println(JsonOutput.discovery(discovery));
        } else {
            discovery.addresses().forEach(out::println);
        }
        out.flush();
        return 0;
    }
}
