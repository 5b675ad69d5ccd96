package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.ExitCodes;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.config.Durations;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.discovery.ScopeApps;
import com.nholuongut.ecs.launch.Tools;
import com.nholuongut.ecs.reclaim.Reclaimer;
import com.nholuongut.ecs.state.PeerState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The join loop of {@code run}: discover, bring Net and Scope to the peers ({@link Reconciler}), then every
 * {@link Schedule} wait re-discover and apply changes, until stopped. A failure keeps the last good peers and
 * backs off; a fresh instance (no saved peers) never launches Net before a discovery worked.
 */
public final class Daemon {

    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private final AgentConfig config;
    private final PeerState state;
    private final Schedule schedule;
    private final Discoverer discoverer;
    private final Reconciler net;
    private final Reclaimer reclaimer;
    private final Runnable idle;
    private final CountDownLatch stop = new CountDownLatch(1);

    private List<String> seen = List.of(); // the peers as last known (discovered or saved)
    private long refreshes;
    /** Whether Net may be launched: peers came from a discovery or from the saved state, never from nothing. */
    private boolean launchable;
    /** Why Net is not up yet, for the readiness deadline's WARN; null once it is. */
    private volatile String notUp = "the first discovery has not finished";

    /**
     * @param opener opens the peer source (IMDS identity and AWS clients); called again until it works
     * @param ready  reports readiness to systemd; called once, when Net is launched or found running
     */
    public Daemon(AgentConfig config, Supplier<PeerSource> opener, Tools tools, PeerState state, Runnable ready,
                  RandomGenerator random) {
        this(config, opener, tools, state, ready, random, () -> { });
    }

    /**
     * @param idle run after the boot and after each refresh, before the wait for the next one (the agent's
     *             {@code run} gives the heap the discovery took back there)
     */
    public Daemon(AgentConfig config, Supplier<PeerSource> opener, Tools tools, PeerState state, Runnable ready,
                  RandomGenerator random, Runnable idle) {
        this.idle = idle;
        this.config = config;
        this.state = state;
        this.schedule = new Schedule(config, random);
        this.discoverer = new Discoverer(config, opener, state, schedule);
        this.net = new Reconciler(config, tools, () -> { notUp = null; ready.run(); });
        this.reclaimer = config.get(ConfigKey.RECLAIM_DEPARTED)
                ? new Reclaimer(tools, config.get(ConfigKey.STATE_DIR), config.get(ConfigKey.REFRESH_INTERVAL)) : null;
    }

    /** Asks the loop to end; it returns within moments unless a tool is running. */
    public void stop() {
        stop.countDown();
    }

    /** Runs until {@link #stop()}; returns the exit code (0). Configuration errors are thrown (exit 78). */
    public int run() throws InterruptedException {
        try {
            boot();
            idle.run();
            while (!stop.await(nextDelay().toMillis(), TimeUnit.MILLISECONDS)) {
                refresh();
                idle.run();
            }
            log.info("stopping; nholuongut Net and Scope are left running");
            return ExitCodes.OK;
        } finally {
            discoverer.close();
        }
    }

    /** The wait before the next refresh (see {@link Schedule}). */
    public Duration nextDelay() {
        return schedule.next(discoverer.members(), refreshes, discoverer.failures(), discoverer.throttled());
    }

    /** Why Net is not up, for the readiness deadline's WARN; null once it is. */
    public String whyNetNotUp() {
        return notUp;
    }

    /** Discovers and launches Net and Scope; public for the simulations, which drive the steps. */
    public void boot() {
        log.info("starting: refresh every {} ({}), state in {}", Durations.format(config.get(ConfigKey.REFRESH_INTERVAL)),
                schedule.jitter(discoverer.members()), state.file());
        Optional<PeerState.Saved> saved = state.load();
        Discovery discovery = discover();
        if (reclaimer != null) {
            // Members that left while this agent was down, or that leave before its first refresh, are departures.
            saved.ifPresent(s -> reclaimer.lastKnown(s.peers()));
            Optional.ofNullable(discovery).ifPresent(reclaimer::booted);
        }
        int bootMembers = 1;
        launchable = true;
        if (discovery != null) {
            seen = discovery.addresses();
            bootMembers = discovery.members();
            log.info("peer group {} has {} member(s); peers: {}", discovery.source().describe(), bootMembers, seen);
        } else if (saved.isPresent()) {
            seen = saved.get().peers();
            bootMembers = saved.get().members();
            discoverer.groupSize(bootMembers);
            log.info("discovery failed at boot: starting with the {} last good peers from {}", seen.size(),
                    state.file());
        } else {
            launchable = false;
        }
        List<String> peers = seen;
        if (stopping()) {
            return;
        }
        if (net.adoptRunningNet()) {
            log.info("nholuongut Net is already running: refreshing its peers");
            if (!launchable) {
                // Nothing to tell a running Net yet: replacing its peers with none would cut a healthy mesh.
                log.info("discovery failed at boot and no saved peers: leaving the running Net and Scope as they"
                        + " are until discovery works");
                net.adoptRunningScope();
                return;
            }
            // What Net had is what we last saved; those gone since are forgotten.
            saved.ifPresent(s -> net.forgetLater(Reconciler.minus(s.peers(), peers)));
            net.applyNet(peers);
        } else if (launchable) {
            startNet(peers, bootMembers);
        } else {
            waitForAws();
            return;
        }
        if (stopping()) {
            return;
        }
        if (discovery != null) {
            net.applyScope(config.scopeApps(discovery), discovery.self().address());
        } else if (config.scopeCloudMode() || config.get(ConfigKey.SCOPE_APPS) == ScopeApps.ALL) {
            // Saved peers have no instance ids: only cloud mode's line or the all-apps layout can be drawn from them.
            net.applyScope(ScopeApps.allOf(peers, null), null);
        } else {
            log.info("Scope waits for AWS: which members run its app is known from their instance ids");
        }
    }

    /** One re-discovery and whatever tool calls its changes need. */
    public void refresh() {
        Discovery discovery = discover();
        if (discovery == null) {
            if (!net.netUp() && !launchable) {
                waitForAws();
            } else if (!stopping()) {
                // AWS is away: a tool call that failed is retried (Net with the last good peers, Scope with its line).
                if (!net.netUp() && !net.adoptRunningNet()) {
                    startNet(seen, discoverer.members());
                } else if (launchable) {
                    net.applyNet(seen);
                }
                if (!stopping()) { // a Net launch may have taken minutes
                    net.retryScope();
                }
            }
            return;
        }
        launchable = true;
        if (stopping()) {
            return;
        }
        List<String> peers = discovery.addresses();
        log.debug("refresh {}: {} member(s), {} peer(s)", ++refreshes, discovery.members(), peers.size());
        logChange(peers);
        if (!net.netUp() && !net.adoptRunningNet()) {
            startNet(peers, discovery.members());
        }
        if (net.netUp()) {
            net.applyNet(peers);
        }
        net.applyScope(config.scopeApps(discovery), discovery.self().address());
        // Last: the peers' own update (connect, forget, Scope) never waits for the address-space clean-up.
        if (net.netUp() && reclaimer != null && !stopping()) {
            try {
                reclaimer.afterRefresh(discovery, discoverer.source());
            } catch (RuntimeException e) {
                log.warn("reclaiming departed peers failed, trying again next refresh: {}",
                        AgentException.oneLine(String.valueOf(e.getMessage())));
                log.debug("reclaim failure", e);
            }
        }
    }

    private boolean stopping() {
        return stop.getCount() == 0;
    }

    private void startNet(List<String> peers, int groupSize) {
        notUp = "nholuongut launch is running";
        if (!net.launchNet(peers, groupSize)) {
            notUp = "nholuongut launch failed (see its WARN); it is retried at the next refresh";
        }
    }

    /**
     * A fresh instance (no saved peers) whose discovery fails does not launch Net: alone it would form an address
     * ring of its own (consensus of one) that can never merge with the group's. It waits for the whole group.
     */
    private void waitForAws() {
        if (discoverer.firstWait()) {
            log.info("no saved peers and discovery failed: not launching nholuongut Net until AWS answers (a Net"
                    + " launched alone would form an address ring of its own that cannot merge with the group's)");
        }
    }

    private Discovery discover() {
        Discovery d = discoverer.discover(launchable || net.netUp());
        if (d == null && !net.netUp() && !launchable) {
            notUp = "no saved peers, and discovery fails: " + discoverer.lastFailure();
        }
        return d;
    }

    private void logChange(List<String> peers) {
        if (peers.equals(seen)) {
            return;
        }
        log.info("peers changed: added {}, removed {}; now {} peer(s)", Reconciler.minus(peers, seen),
                Reconciler.minus(seen, peers), peers.size());
        seen = peers;
    }
}
