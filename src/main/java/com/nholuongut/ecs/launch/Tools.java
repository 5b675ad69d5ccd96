package com.nholuongut.ecs.launch;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.discovery.ScopeApps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nholuongut Net and Scope command lines of SPEC ("Launching and refreshing"): builds each argv,
 * runs it, and logs it with every secret masked.
 */
public final class Tools {

    /**
     * The variable the {@code nholuongut} script reads Net's password from. The script is Weave Net's
     * {@code weave} renamed (weave to nholuongut, case-insensitively: its {@code WEAVE_NO_PLUGIN} is
     * {@code nholuongut_NO_PLUGIN}); upstream, {@code launch --password X} only sets {@code WEAVE_PASSWORD} and
     * passes it to the router's container ({@code -e WEAVE_PASSWORD}). Set in {@code launch}'s environment,
     * the password never stands on a command line that any local user can read.
     */
    public static final String NET_PASSWORD_ENV = "nholuongut_PASSWORD";

    /** {@code launch} pulls images on a fresh instance: give it time. Other subcommands are quick. */
    static final Duration LAUNCH_TIMEOUT = Duration.ofMinutes(10);
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
    /** {@code reset} runs while the instance shuts down: within the unit's TimeoutStopSec (60 s). */
    public static final Duration RESET_TIMEOUT = Duration.ofSeconds(40);

    private static final Logger log = LoggerFactory.getLogger(Tools.class);

    private final AgentConfig config;
    private final ProcessRunner runner;

    public Tools(AgentConfig config, ProcessRunner runner) {
        this.config = config;
        this.runner = runner;
    }

    /** {@code nholuongut status}: true when Net is already running (exit 0). */
    public boolean netRunning() {
        return run(List.of(net(), "status"), COMMAND_TIMEOUT, false).ok();
    }

    /** {@code nholuongut launch --ipalloc-init consensus=N [NET_LAUNCH_ARGS] PEER...}. */
    public boolean launchNet(Collection<String> peers, int members) {
        List<String> argv = new ArrayList<>(List.of(net(), "launch"));
        if (config.netLaunchArgs().stream().noneMatch(a -> a.equals("--ipalloc-init")
                || a.startsWith("--ipalloc-init="))) {
            argv.add("--ipalloc-init");
            argv.add("consensus=" + members);
        }
        argv.addAll(config.netLaunchArgs());
        argv.addAll(peers);
        Map<String, String> env = config.netPassword() == null ? Map.of()
                : Map.of(NET_PASSWORD_ENV, config.netPassword());
        return run(argv, env, LAUNCH_TIMEOUT, true).ok();
    }

    /** {@code nholuongut connect --replace PEER...}. */
    public boolean connectReplace(Collection<String> peers) {
        List<String> argv = new ArrayList<>(List.of(net(), "connect", "--replace"));
        argv.addAll(peers);
        return run(argv, COMMAND_TIMEOUT, true).ok();
    }

    /** {@code nholuongut forget ADDR...}. */
    public boolean forget(Collection<String> addresses) {
        List<String> argv = new ArrayList<>(List.of(net(), "forget"));
        argv.addAll(addresses);
        return run(argv, COMMAND_TIMEOUT, true).ok();
    }

    /** {@code nholuongut report}: the router's JSON report, or null when it failed. */
    public String report() {
        ProcessRunner.Result r = runner.run(List.of(net(), "report"), COMMAND_TIMEOUT);
        if (!r.ok()) {
            log.warn("{} report failed (exit {}): {}", net(), r.exitCode(), mask(oneLine(r.stderr())));
            return null;
        }
        log.info("ran {} report (exit 0, {} ms)", net(), r.duration().toMillis());
        return r.stdout();
    }

    /**
     * {@code nholuongut reset}: this router hands its whole address space to a surviving peer, gossips it, and
     * stops Net; the clean way to leave the group for good (SPEC, "Leaving for good").
     */
    public boolean reset() {
        return run(List.of(net(), "reset"), RESET_TIMEOUT, true).ok();
    }

    /** {@code nholuongut rmpeer NAME}: takes over the address space a departed peer owned. */
    public boolean rmpeer(String peerName) {
        return run(List.of(net(), "rmpeer", peerName), COMMAND_TIMEOUT, true).ok();
    }

    /**
     * This member's {@code scope launch} line (SPEC, "Scope"): in cloud mode {@code --probe.ecs=true
     * --service-token=TOKEN [SCOPE_LAUNCH_ARGS]}; on an app member {@code --probe.ecs=true [SCOPE_LAUNCH_ARGS]
     * OTHER_APP_ADDR...} (its probe reports to its own app by itself); on any other {@code --no-app
     * --probe.ecs=true [SCOPE_LAUNCH_ARGS] APP_ADDR...}.
     */
    public List<String> scopeLine(ScopeApps apps, String selfAddress) {
        List<String> argv = new ArrayList<>(List.of(scope(), "launch"));
        if (config.scopeCloudMode()) {
            argv.add("--probe.ecs=true");
            argv.add("--service-token=" + config.get(ConfigKey.SERVICE_TOKEN));
            argv.addAll(config.scopeLaunchArgs());
            return argv;
        }
        if (!apps.self()) {
            argv.add("--no-app");
        }
        argv.add("--probe.ecs=true");
        argv.addAll(config.scopeLaunchArgs());
        argv.addAll(apps.self() ? apps.targets(selfAddress) : apps.addresses());
        return argv;
    }

    /** Runs a line of {@link #scopeLine}. */
    public boolean launchScope(List<String> line) {
        return run(line, LAUNCH_TIMEOUT, true).ok();
    }

    /** {@code scope stop}. */
    public boolean stopScope() {
        return run(List.of(scope(), "stop"), COMMAND_TIMEOUT, true).ok();
    }

    /** Runs any helper command (e.g. {@code systemd-notify --ready}) with the same logging. */
    public boolean runHelper(List<String> argv) {
        return run(argv, COMMAND_TIMEOUT, true).ok();
    }

    private ProcessRunner.Result run(List<String> argv, Duration timeout, boolean failureIsWarning) {
        return run(argv, Map.of(), timeout, failureIsWarning);
    }

    private ProcessRunner.Result run(List<String> argv, Map<String, String> env, Duration timeout,
                                     boolean failureIsWarning) {
        ProcessRunner.Result r = runner.run(argv, env, timeout);
        String shown = String.join(" ", mask(argv));
        long ms = r.duration().toMillis();
        if (r.ok()) {
            log.info("ran {} (exit 0, {} ms)", shown, ms);
        } else if (failureIsWarning) {
            log.warn("{} failed (exit {}, {} ms): {}", shown, r.exitCode(), ms, mask(oneLine(r.stderr())));
        } else {
            log.info("ran {} (exit {}, {} ms)", shown, r.exitCode(), ms);
        }
        return r;
    }

    /** The argv with every secret replaced by {@code ****}, for logs and errors. */
    public List<String> mask(List<String> argv) {
        return argv.stream().map(this::mask).toList();
    }

    String mask(String text) {
        return config.mask(text);
    }

    private static String oneLine(String text) {
        String flat = AgentException.oneLine(text);
        return flat.isEmpty() ? "(no stderr)" : flat.length() > 2000 ? flat.substring(0, 2000) + "..." : flat;
    }

    private String net() {
        return config.get(ConfigKey.NET_BIN).toString();
    }

    private String scope() {
        return config.get(ConfigKey.SCOPE_BIN).toString();
    }
}
