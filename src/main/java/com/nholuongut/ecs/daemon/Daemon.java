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
        this.reclaimer = config.reclaimDeparted() ? new Reclaimer(tools, config.stateDir()) : null;
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
        long callsPerRefresh = Math.max(1, (members + Ec2Pages.SIZE - 1) / Ec2Pages.SIZE);
        long budgetMs = (long) Math.ceil(members * callsPerRefresh * 1000.0 / budget);
        return refresh.toMillis() >= budgetMs ? refresh : Duration.ofMillis(budgetMs);
    }

    /** Discovers and launches Net and Scope; public for the fleet simulation, which drives the steps. */
    public void boot() {
        log.info("starting: refresh every {} (+/-20% jitter), state in {}", Durations.format(config.refreshInterval()),
                state.file());
        Optional<PeerState.Saved> saved = state.load();
        Discovery discovery = discover();
        List<String> peers;
        int bootMembers = 1;
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
            log.warn("discovery failed at boot and no saved peers: starting alone, joining the others later");
        }
        seen = peers;
        if (discovery != null && reclaimer != null) {
            reclaimer.afterRefresh(discovery, source);
        }
        if (tools.netRunning()) {
            log.info("nholuongut Net is already running: refreshing its peers");
            netUp = true;
            // What Net had is what we last saved; those gone since are forgotten.
            netPeers = null;
            saved.ifPresent(s -> pendingForget.addAll(minus(s.peers(), peers)));
            signalReady();
            applyNet(peers);
            if (config.scopeEnabled()) {
                relaunchScope(peers);
            }
        } else {
            startNet(peers, bootMembers);
            if (config.scopeEnabled()) {
                scopeUp = tools.launchScope(peers);
                scopePeers = scopeUp ? peers : null;
            }
        }
    }

    /** One re-discovery and whatever tool calls its changes need. */
    public void refresh() {
        Discovery discovery = discover();
        if (discovery == null) {
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
            if (reclaimer != null) {
                reclaimer.afterRefresh(discovery, source);
            }
        }
        if (config.scopeEnabled()) {
            if (config.scopeCloudMode()) {
                if (!scopeUp) {
                    scopeUp = tools.launchScope(peers);
                }
            } else if (!scopeUp || !peers.equals(scopePeers)) {
                relaunchScope(peers);
            }
        }
    }

    private void startNet(List<String> peers, int members) {
        if (tools.launchNet(peers, members)) {
            netUp = true;
            netPeers = peers;
            signalReady();
        }
    }

    /** {@code connect --replace} when the set changed, then {@code forget} for those that left. */
    private void applyNet(List<String> peers) {
        if (!peers.equals(netPeers)) {
            if (!tools.connectReplace(peers)) {
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

    private void relaunchScope(List<String> peers) {
        if (!config.scopeCloudMode() || !scopeUp) {
            tools.stopScope();
        }
        scopeUp = tools.launchScope(peers);
        scopePeers = scopeUp ? peers : null;
    }

    private void signalReady() {
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
        } catch (AgentException e) {
            if (e.exitCode() == ExitCodes.CONFIG || e.exitCode() == ExitCodes.USAGE) {
                throw e;
            }
            failures++;
            throttled = e instanceof com.nholuongut.ecs.UnavailableException u && u.throttled();
            if (failures == 1) {
                log.warn("discovery failed, keeping the last good peers and retrying with backoff{}: {}",
                        throttled ? " (throttled: backing off beyond the refresh interval)" : "", e.getMessage());
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
