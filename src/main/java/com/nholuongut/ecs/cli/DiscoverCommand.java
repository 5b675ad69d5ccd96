package com.nholuongut.ecs.cli;

import ch.qos.logback.classic.Level;
import com.nholuongut.ecs.UnavailableException;
import com.nholuongut.ecs.aws.AwsTimeouts;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.config.ConfigValue;
import com.nholuongut.ecs.config.Durations;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.PeerSource;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
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

    private final Services services;

    @Spec
    private CommandSpec spec;

    @Mixin
    private CommonOptions common;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (one address a line) or json. Default: ${DEFAULT-VALUE}.")
    private Format output;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = {"How long to wait for AWS in all (30s, 5m). Default: DISCOVER_TIMEOUT, else 120s.",
                "A slow answer is waited for; an endpoint that cannot be reached fails within seconds."})
    private String timeout;

    DiscoverCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() {
        Logging.configure(false, common.verbose ? Level.DEBUG : Level.WARN);
        AgentConfig config = common.loadConfig(services.env(), timeout == null ? Map.of()
                : Map.of(ConfigKey.DISCOVER_TIMEOUT, new ConfigValue(timeout, "--timeout")));
        Discovery discovery = withinDeadline(config.get(ConfigKey.DISCOVER_TIMEOUT), () -> {
            try (PeerSource source = services.peerSource(common.identityFlags(), config,
                    AwsTimeouts.within(config.get(ConfigKey.DISCOVER_TIMEOUT)))) {
                return source.discover();
            }
        });
        PrintWriter out = spec.commandLine().getOut();
        if (output == Format.json) {
            out.println(JsonOutput.discovery(discovery,
                    config.scopeStandalone() ? config.scopeApps(discovery).addresses() : List.of()));
        } else {
            discovery.addresses().forEach(out::println);
        }
        out.flush();
        return 0;
    }

    /**
     * Runs the discovery on a worker thread and gives up after {@code deadline} in all, however many calls
     * and pages it takes: each call's own timeouts bound one page, this bounds the command.
     */
    private static Discovery withinDeadline(Duration deadline, Supplier<Discovery> discovery) {
        FutureTask<Discovery> task = new FutureTask<>(discovery::get);
        Thread worker = new Thread(task, "discover");
        worker.setDaemon(true);
        worker.start();
        try {
            return task.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw new UnavailableException("AWS did not answer within DISCOVER_TIMEOUT=" + Durations.format(deadline)
                    + " (a slow answer for a large group may need longer: --timeout 5m)", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for AWS", e);
        }
    }
}
