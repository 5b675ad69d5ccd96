package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.ExitCodes;
import com.nholuongut.ecs.aws.Lifecycle;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.config.Durations;
import com.nholuongut.ecs.daemon.DaemonState.Phase;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.launch.Tools;
import com.nholuongut.ecs.reclaim.Reclaimer;
import com.nholuongut.ecs.state.PeerState;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The join loop of {@code run}: one {@link #step()} (a discovery, then what its {@link Outcome} asks of Net
 * and Scope, moving the {@link DaemonState}), then a {@link Schedule} wait, until stopped. The boot is the
 * first step; a refresh is every later one.
 */
public final class Daemon {

    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    /** How often a warmed instance reads its target lifecycle state again (IMDS only). */
    static final Duration WARM_POLL = Duration.ofSeconds(5);

    private final AgentConfig config;
    private final PeerState store;
    private final Schedule schedule;
    private final Discoverer discoverer;
    private final Transitions transitions;
    private final Sleeper sleeper;
    private final Lifecycle lifecycle;
    private final Runnable ready;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Leaving leave;

    /** Read by the readiness deadline's thread. */
    private volatile DaemonState state = DaemonState.booting();

    /**
     * @param opener    opens the peer source (IMDS identity and AWS clients), which the daemon then owns and
     *                  closes; called again until it works
     * @param lifecycle this instance's Auto Scaling and Spot lifecycle, from its metadata; owned and closed
     * @param ready     reports readiness to systemd; called when Net is launched or found running, or warmed
     */
    public Daemon(AgentConfig config, Supplier<PeerSource> opener, Lifecycle lifecycle, Tools tools,
                  PeerState store, Runnable ready, RandomGenerator random, Clock clock, Sleeper sleeper) {
        this.config = config;
        this.lifecycle = lifecycle;
        this.ready = ready;
        this.store = store;
        this.sleeper = sleeper;
        this.schedule = new Schedule(config, random);
        this.discoverer = new Discoverer(config, opener, store, schedule);
        this.leave = new Leaving(lifecycle, discoverer, tools);
        Optional<Reclaimer> reclaimer = config.get(ConfigKey.RECLAIM_DEPARTED) ? Optional.of(new Reclaimer(tools,
                config.get(ConfigKey.STATE_DIR), clock)) : Optional.empty();
        this.transitions = new Transitions(config, store, discoverer, new Reconciler(config, tools, ready), reclaimer,
                () -> stop.getCount() == 0);
    }

    /** Asks the loop to end; it returns within moments unless a tool is running. */
    public void stop() {
        if (stop.getCount() > 0) {
            stop.countDown();
            // Asked at once, beside the loop: a refresh in progress must not use up the stop's grace first.
            Thread decide = new Thread(leave::decide, "leave-decision");
            decide.setDaemon(true);
            decide.start();
        }
    }

    /**
     * Runs until {@link #stop()}; returns the exit code (0). An error that retrying cannot cure (configuration)
     * is thrown, for the command to map to its exit code.
     */
    public int run() throws InterruptedException {
        log.info("starting: refresh every {} ({}), state in {}", Durations.format(config.get(ConfigKey.REFRESH_INTERVAL)),
                schedule.jitter(discoverer.members()), store.file());
        try {
            boolean stopped = whileWarmed();
            while (!stopped) {
                step();
                giveHeapBack();
                stopped = sleeper.await(stop, nextDelay());
            }
            boolean reset = leave.leaveIfForGood(state);
            state = state.to(Phase.STOPPED);
            log.info(reset ? "stopping" : "stopping; nholuongut Net and Scope are left running");
            return ExitCodes.OK;
        } finally {
            discoverer.close();
            lifecycle.close();
        }
    }

    /**
     * Whether SIGTERM found this instance leaving for good, so that {@code nholuongut reset} may run: the command
     * then waits for the loop past its usual grace.
     */
    public boolean leaving() {
        return leave.resetting();
    }

    /**
     * While the target lifecycle state is {@code Warmed:*}: no tool, no AWS call, ready at once (the ECS agent
     * does not register while warmed either), and the state read again every {@link #WARM_POLL}. Returns
     * whether the daemon was stopped meanwhile; once the instance is put in service it boots as a fresh one.
     */
    private boolean whileWarmed() throws InterruptedException {
        // A metadata service that cannot tell (IMDSv2 refused, say) changes nothing: the instance boots as before.
        Optional<String> target = targetState();
        while (target != null && target.filter(Lifecycle::warmed).isPresent()) {
            if (state.phase() != Phase.WARMED) {
                log.info("target lifecycle state {}: in the warm pool, launching nothing and asking AWS nothing until"
                        + " this instance is put in service", target.get());
                state = state.to(Phase.WARMED);
                ready.run();
            }
            if (sleeper.await(stop, WARM_POLL)) {
                return true;
            }
            Optional<String> read = targetState();
            target = read == null ? target : read; // a failed read changes nothing while warmed
        }
        if (state.phase() == Phase.WARMED) {
            log.info("target lifecycle state {}: booting as a fresh instance", target.orElse("unknown"));
            state = DaemonState.booting();
        }
        return false;
    }

    /** The target lifecycle state; null when the metadata service could not tell. */
    private Optional<String> targetState() {
        try {
            return lifecycle.targetState();
        } catch (AgentException e) {
            log.debug("target lifecycle state: {}", e.getMessage());
            return null;
        }
    }

    /** One discovery and what its outcome asks of Net and Scope; returns the state it moved to. */
    public DaemonState step() {
        if (state.phase() == Phase.BOOTING) {
            transitions.boot();
        }
        Outcome outcome = discoverer.discover(state.phase() != Phase.BOOTING && state.phase() != Phase.WAITING_FOR_GROUP);
        if (outcome instanceof Outcome.Failed failed && !failed.error().retryable()) {
            throw failed.error();
        }
        if (stop.getCount() > 0) {
            state = transitions.next(state, outcome);
        }
        return state;
    }

    /** The wait before the next step (see {@link Schedule}). */
    public Duration nextDelay() {
        return schedule.next(discoverer.members(), transitions.refreshes(), discoverer.failures(),
                discoverer.throttled());
    }

    /** Where the daemon is now. */
    public DaemonState state() {
        return state;
    }

    /** Why Net is not up, for the readiness deadline's WARN; null once it is. */
    public String whyNetNotUp() {
        if (transitions.launching()) {
            return "nholuongut launch is running";
        }
        return switch (state.phase()) {
            // A failed first discovery is told at once, while its tool calls (status, a launch) still run.
            case BOOTING -> discoverer.failures() == 0 ? "the first discovery has not finished"
                    : (transitions.hasSaved() ? "discovery fails at boot, starting with the saved peers: "
                    : "no saved peers, and discovery fails: ") + discoverer.lastFailure();
            case WARMED -> null;
            case WAITING_FOR_GROUP -> "no saved peers, and discovery fails: " + discoverer.lastFailure();
            case NET_DOWN -> "nholuongut launch failed (see its WARN); it is retried at the next refresh";
            case UP, ADOPTED, STOPPED -> null;
        };
    }

    /**
     * Hands the heap a discovery took back to the system, once Net and Scope have their peers and the loop is
     * about to wait. Reading a page takes far more heap than the peers it yields (the SDK parses the whole XML
     * answer, then builds every instance's model: some 20 MB for a group of 200, up to ~50 MB live in the middle
     * of a 1000-instance page), and the serial collector returns committed heap only at a full collection,
     * which Java 25 puts off until the heap is several times the live data. One full collection of the
     * daemon's ~10 MB of live data takes some 20 ms, while it would sleep anyway (bench/daemon.sh).
     */
    private static void giveHeapBack() {
        System.gc();
    }
}
