package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.ExitCodes;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.Durations;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.Ec2Pages;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.launch.Tools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile loop of {@code run}: discover, launch Net and Scope, then every jittered interval
 * re-discover and apply changes, until stopped. Transient failures keep the last good peers and back off.
 */
public final class Daemon {

    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private final AgentConfig config;
    private final Supplier<PeerSource> opener;
    private final Tools tools;
    private final PeerState state;
    private final Runnable ready;
    private final RandomGenerator random;
    private final Backoff backoff;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Reclaimer reclaimer;

    private PeerSource source;
    private int failures;
    private boolean throttled;
    /** Whether Net may be launched: peers came from a discovery or from the saved state, never from nothing. */
    private boolean launchable;
    /** Whether the "not launching until AWS answers" WARN was logged in this failure streak. */
    private boolean waitLogged;
    /** Why Net is not up yet, for the readiness deadline's WARN; null once it is. */
    private volatile String notUp = "the first discovery has not finished";
    private int members = 1;
    private List<String> seen;
    private boolean netUp;
    /** What Net was last told; null when unknown (Net found running after a restart). */
    private List<String> netPeers;
    private final Set<String> pendingForget = new LinkedHashSet<>();
    private boolean scopeUp;
    private List<String> scopePeers;
    private boolean readySent;
    private long refreshes;

    /**
     * @param opener opens the peer source (IMDS identity and AWS clients); called again until it works
     * @param ready  reports readiness to systemd; called once, when Net is launched or found running
     */
    public Daemon(AgentConfig config, Supplier<PeerSource> opener, Tools tools, PeerState state, Runnable ready,
                  RandomGenerator random) {
        this.config = config;
        this.opener = opener;
        this.tools = tools;
        this.state = state;
        this.ready = ready;
        this.random = random;
        this.backoff = new Backoff(min(config.refreshInterval(), Duration.ofSeconds(5)), random);
        this.reclaimer = config.reclaimDeparted()
                ? new Reclaimer(tools, config.stateDir(), config.refreshInterval()) : null;
    }

    /** Asks the loop to end; it returns within moments unless a tool is running. */
    public void stop() {
        stop.countDown();
    }

    /** Runs until {@link #stop()}; returns the exit code (0). Configuration errors are thrown (exit 78). */
    public int run() throws InterruptedException {
        try {
            boot();
            while (!stop.await(nextDelay().toMillis(), TimeUnit.MILLISECONDS)) {
                refresh();
            }
            log.info("stopping; nholuongut Net and Scope are left running");
            return ExitCodes.OK;
        } finally {
            if (source != null) {
                source.close();
            }
        }
    }

    /**
     * The wait before the next refresh: {@code REFRESH_INTERVAL} jittered ±20 %. When the API budget sets a
     * longer interval, that interval is a floor: the jitter only adds (0 to +40 %), so no member polls
     * sooner than the budget allows, and the first wait after boot is spread over the interval. After a failure, exponential backoff with full jitter; after
     * throttling, a whole effective interval more on top of that.
     */
    public Duration nextDelay() {
        if (failures == 0) {
            Duration effective = effectiveInterval();
            if (effective.equals(config.refreshInterval())) {
                return Backoff.jittered(effective, random);
            }
            // A group launched together would otherwise poll in waves: spread the first wait over the
            // whole interval, after which the members' phases stay spread.
            return refreshes == 0 ? Backoff.spread(effective, random) : Backoff.jitteredUp(effective, random);
        }
        Duration delay = backoff.delay(failures);
        return throttled ? effectiveInterval().plus(delay) : delay;
    }

    /**
     * {@code max(REFRESH_INTERVAL, members x calls-per-refresh / API_BUDGET)}: every member polls, so the
     * group as a whole stays within the budget whatever its size.
     */
    public Duration effectiveInterval() {
        return effectiveInterval(config.refreshInterval(), members, config.apiBudget());
    }

    /** The formula of {@link #effectiveInterval()}, for a group of {@code members}. */
    public static Duration effectiveInterval(Duration refresh, int members, double budget) {
        long callsPerRefresh = Ec2Pages.forMembers(members);
        long budgetMs = (long) Math.ceil(members * callsPerRefresh * 1000.0 / budget);
        return refresh.toMillis() >= budgetMs ? refresh : Duration.ofMillis(budgetMs);
    }

    /** Discovers and launches Net and Scope; public for the simulations, which drive the steps. */
    public void boot() {
        log.info("starting: refresh every {} (+/-20% jitter), state in {}", Durations.format(config.refreshInterval()),
                state.file());
        Optional<PeerState.Saved> saved = state.load();
        if (reclaimer != null) {
            // Members that left while this agent was not running are departures too.
            saved.ifPresent(s -> reclaimer.lastKnown(s.peers()));
        }
        Discovery discovery = discover();
        List<String> peers;
        int bootMembers = 1;
        launchable = true;
        if (discovery != null) {
            peers = discovery.addresses();
            bootMembers = discovery.members();
            log.info("peer group {} has {} member(s); peers: {}", discovery.source().describe(), bootMembers,
                    peers);
        } else if (saved.isPresent()) {
            peers = saved.get().peers();
            bootMembers = saved.get().members();
            members = bootMembers;
            log.warn("discovery failed at boot: starting with the {} last good peers from {}", peers.size(),
                    state.file());
        } else {
            peers = List.of();
            launchable = false;
        }
        seen = peers;
        if (stopping()) {
            return;
        }
        if (tools.netRunning()) {
            log.info("nholuongut Net is already running: refreshing its peers");
            netUp = true;
            // What Net had is what we last saved; those gone since are forgotten.
            netPeers = null;
            signalReady();
            if (!launchable) {
                // Nothing to tell a running Net yet: replacing its peers with none would cut a healthy mesh.
                log.warn("discovery failed at boot and no saved peers: leaving the running Net and Scope as they"
                        + " are until discovery works");
                scopeUp = true;
                return;
            }
            saved.ifPresent(s -> pendingForget.addAll(minus(s.peers(), peers)));
            applyNet(peers);
            if (config.scopeEnabled() && !stopping()) {
                relaunchScope(peers);
            }
        } else {
            if (!launchable) {
                waitForAws();
                return;
            }
            startNet(peers, bootMembers);
            if (config.scopeEnabled() && !stopping()) {
                // `scope launch` fails while Scope runs (the agent restarted after `nholuongut stop`, say):
                // stopping first is harmless when it does not.
                relaunchScope(peers);
            }
        }
    }

    /**
     * A fresh instance (no saved peers) whose discovery fails does not launch Net: alone it would form an
     * address ring of its own (consensus of one) that can never merge with the group's, splitting the
     * network for good. It launches with the whole group once AWS answers.
     */
    private void waitForAws() {
        if (!waitLogged) {
            waitLogged = true;
            log.warn("no saved peers and discovery failed: not launching nholuongut Net until AWS answers (a Net"
                    + " launched alone would form an address ring of its own that cannot merge with the group's)");
        }
    }

    /** Why Net is not up, for the readiness deadline's WARN; null once it is. */
    public String whyNetNotUp() {
        return notUp;
    }

    /** One re-discovery and whatever tool calls its changes need. */
    public void refresh() {
        Discovery discovery = discover();
        if (discovery == null) {
            if (!netUp && !launchable) {
                waitForAws();
            } else if (!netUp && !stopping() && !tools.netRunning()) {
                // AWS is away but Net is not up (its launch with the saved peers failed): retry it with them.
                startNet(seen, members);
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
        if (!netUp) {
            if (tools.netRunning()) {
                netUp = true;
                netPeers = null;
                signalReady();
            } else {
                startNet(peers, discovery.members());
            }
        }
        if (netUp) {
            applyNet(peers);
        }
        // Cloud mode's line has no peers: only a failed launch is retried.
        if (config.scopeEnabled() && (!scopeUp || !config.scopeCloudMode() && !peers.equals(scopePeers))) {
            relaunchScope(peers);
        }
        // Last: the peers' own update (connect, forget, Scope) never waits for the address-space clean-up.
        if (netUp && reclaimer != null && !stopping()) {
            try {
                reclaimer.afterRefresh(discovery, source);
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

    private void startNet(List<String> peers, int members) {
        notUp = "nholuongut launch is running";
        if (tools.launchNet(peers, members)) {
            netUp = true;
            netPeers = peers;
            signalReady();
        } else {
            notUp = "nholuongut launch failed (see its WARN); it is retried at the next refresh";
        }
    }

    /**
     * {@code connect --replace} when the set changed, then {@code forget} for those that left. Net's own
     * command line rejects {@code connect --replace} with no peer: when the group shrinks to this instance
     * alone, forgetting the departed is what empties the router's targets.
     */
    private void applyNet(List<String> peers) {
        if (!peers.equals(netPeers)) {
            if (!peers.isEmpty() && !tools.connectReplace(peers)) {
                return;
            }
            if (netPeers != null) {
                pendingForget.addAll(minus(netPeers, peers));
            }
            netPeers = peers;
        }
        pendingForget.removeAll(peers);
        if (!pendingForget.isEmpty() && tools.forget(new ArrayList<>(pendingForget))) {
            pendingForget.clear();
        }
    }

    /** {@code scope stop}, then {@code scope launch}: the real script refuses to launch while Scope runs. */
    private void relaunchScope(List<String> peers) {
        tools.stopScope();
        scopeUp = tools.launchScope(peers);
        scopePeers = scopeUp ? peers : null;
    }

    private void signalReady() {
        notUp = null;
        if (!readySent) {
            readySent = true;
            ready.run();
        }
    }

    /** One discovery; null after a failure that retrying may cure (logged once per streak). */
    private Discovery discover() {
        try {
            if (source == null) {
                source = opener.get();
            }
            Discovery d = source.discover();
            if (failures > 0) {
                log.info("discovery works again after {} failed attempt(s)", failures);
            }
            failures = 0;
            throttled = false;
            waitLogged = false;
            if (d.members() != members) {
                Duration before = effectiveInterval();
                members = d.members();
                if (!effectiveInterval().equals(before)) {
                    log.info("{} member(s): refreshing every {} to keep the group within API_BUDGET={}/s",
                            members, Durations.format(effectiveInterval()), config.apiBudget());
                }
            }
            state.save(d);
            return d;
        } catch (RuntimeException e) {
            int code = e instanceof AgentException a ? a.exitCode() : ExitCodes.INTERNAL;
            if (code == ExitCodes.CONFIG || code == ExitCodes.USAGE) {
                throw e;
            }
            // Unreachable or failing (5), or something unexpected: retry. "No group" (3) and "denied" (4)
            // are answers, retried too (a tag or a policy can be fixed without a restart).
            boolean transientFailure = code != ExitCodes.NO_PEER_GROUP && code != ExitCodes.AWS_DENIED;
            log.debug("discovery failure", e);
            failures++;
            throttled = e instanceof com.nholuongut.ecs.UnavailableException u && u.throttled();
            String message = e instanceof AgentException ? e.getMessage()
                    : "unexpected " + AgentException.oneLine(String.valueOf(e));
            if (!netUp && !launchable) {
                notUp = "no saved peers, and discovery fails: " + message;
            }
            if (failures == 1) {
                if (transientFailure) {
                    log.warn("discovery failed, {}retrying with backoff{}: {}",
                            launchable || netUp ? "keeping the last good peers and " : "",
                            throttled ? " (throttled: backing off beyond the refresh interval)" : "", message);
                } else {
                    log.error("discovery failed, retrying with backoff: {}", message);
                }
            } else {
                log.debug("discovery failed again ({}): {}", failures, e.getMessage());
            }
            return null;
        }
    }

    private void logChange(List<String> peers) {
        if (peers.equals(seen)) {
            return;
        }
        List<String> added = minus(peers, seen);
        List<String> removed = minus(seen, peers);
        log.info("peers changed: added {}, removed {}; now {} peer(s)", added, removed, peers.size());
        seen = peers;
    }

    /** The elements of {@code a} not in {@code b}, in order; linear, as groups reach thousands. */
    static List<String> minus(List<String> a, List<String> b) {
        Set<String> exclude = new java.util.HashSet<>(b);
        return a.stream().filter(x -> !exclude.contains(x)).toList();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
