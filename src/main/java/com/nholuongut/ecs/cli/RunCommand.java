package com.nholuongut.ecs.cli;

import ch.qos.logback.classic.Level;
import com.nholuongut.ecs.aws.AwsTimeouts;
import com.nholuongut.ecs.aws.IdentityFlags;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.daemon.Daemon;
import com.nholuongut.ecs.daemon.EcsRoute;
import com.nholuongut.ecs.daemon.Readiness;
import com.nholuongut.ecs.daemon.Sleeper;
import com.nholuongut.ecs.launch.Tools;
import com.nholuongut.ecs.state.PeerState;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sun.misc.Signal;

/** {@code run}: the daemon systemd starts (SPEC, "Launching and refreshing"). */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Discover, launch nholuongut Net and Scope with the peers, and keep them current",
            "until SIGTERM (exit 0, leaving Net and Scope running). Logs go to stdout."})
final class RunCommand implements Callable<Integer> {

    /** How long SIGTERM waits for a tool that is running before the process leaves anyway. */
    static final long STOP_GRACE_MS = 3000;
    /**
     * How much longer it waits when the instance is leaving for good and {@code nholuongut reset} runs: the
     * reset's own timeout, inside the unit's TimeoutStopSec (60 s).
     */
    static final long LEAVE_GRACE_MS = Tools.RESET_TIMEOUT.toMillis() + 2000;

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    private final Services services;

    @Mixin
    private CommonOptions common;

    RunCommand(Services services) {
        this.services = services;
    }

    @Override
    public Integer call() throws InterruptedException {
        Logging.configure(true, common.verbose ? Level.DEBUG : Level.INFO);
        AgentConfig config = common.loadConfig(services.env());
        log.debug("configuration: {}", config);
        Tools tools = services.tools(config);
        // Under systemd (Type=notify) the unit becomes active, and ecs.service may start, only when ready.
        Readiness ready = new Readiness(tools, services.env().containsKey("NOTIFY_SOCKET"), Sleeper.SYSTEM);
        IdentityFlags flags = common.identityFlags();
        Daemon daemon = new Daemon(config, () -> services.peerSource(flags, config, AwsTimeouts.DAEMON),
                services.lifecycle(flags, config), tools, new PeerState(config.get(ConfigKey.STATE_DIR)), ready, RandomGenerator.getDefault(),
                Clock.systemUTC(), Sleeper.SYSTEM);
        // Before readiness: ecs-env.sh, run once the agent is ready, reads it.
        EcsRoute.leave(config);
        ready.startDeadline(config.get(ConfigKey.READY_TIMEOUT), daemon::whyNetNotUp);
        // Takes the signals over from Main's provisional handler, which ends start-up at once (exit 0).
        Thread loop = Thread.currentThread();
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> stopWithin(daemon, loop));
        }
        return daemon.run();
    }

    /**
     * The daemon leaves with 0 on SIGTERM (SPEC), also during start-up, until {@link #call()} takes the
     * signals over once its daemon exists: nothing has been started yet, so there is nothing to wait for.
     * Installed once the command line was parsed as {@code run}, not on a guess from the raw arguments
     * ({@code discover --peer-group-name run} is not the daemon).
     */
    static void exitOnSignalDuringStartUp() {
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> Runtime.getRuntime().halt(0));
        }
    }

    /** Stops the loop; if a tool run holds it past the grace period, leaves without waiting (exit 0). */
    private static void stopWithin(Daemon daemon, Thread loop) {
        daemon.stop();
        Thread watchdog = new Thread(() -> {
            try {
                loop.join(STOP_GRACE_MS);
                if (loop.isAlive() && daemon.leaving()) {
                    loop.join(LEAVE_GRACE_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (loop.isAlive()) {
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
        }, "stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
