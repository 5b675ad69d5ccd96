package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.daemon.DaemonState.Phase;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.ScopeApps;
import com.nholuongut.ecs.reclaim.Reclaimer;
import com.nholuongut.ecs.state.PeerState;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's state machine (see the package's documentation): from a {@link DaemonState} and a discovery's
 * {@link Outcome}, the tool calls that bring Net and Scope to the peers ({@link Reconciler}) and the next
 * state. Between two tool calls it checks for a stop, so a SIGTERM during a slow call runs nothing after it.
 */
final class Transitions {

    private static final Logger log = LoggerFactory.getLogger(Transitions.class);

    private final AgentConfig config;
    private final PeerState store;
    private final Discoverer discoverer;
    private final Reconciler net;
    private final Optional<Reclaimer> reclaimer;
    private final BooleanSupplier stopping;
    /** What the state file held at boot: what a running Net of an earlier agent was told. */
    private Optional<PeerState.Saved> saved = Optional.empty();
    private long refreshes;
    private volatile boolean launching;

    Transitions(AgentConfig config, PeerState store, Discoverer discoverer, Reconciler net,
                Optional<Reclaimer> reclaimer, BooleanSupplier stopping) {
        this.config = config;
        this.store = store;
        this.discoverer = discoverer;
        this.net = net;
        this.reclaimer = reclaimer;
        this.stopping = stopping;
    }

    /** Reads what the last agent saved, before the first discovery. */
    void boot() {
        saved = store.load();
        reclaimer.ifPresent(r -> saved.ifPresent(s -> r.lastKnown(s.peers())));
    }

    /** The next state after {@code outcome} (a retryable one: the daemon ends on the others). */
    DaemonState next(DaemonState state, Outcome outcome) {
        boolean booting = state.phase() == Phase.BOOTING;
        return outcome instanceof Outcome.Found found ? found(state, found.discovery(), booting) : failed(state);
    }

    /** Whether the state file held peers at boot. */
    boolean hasSaved() {
        return saved.isPresent();
    }

    /** Successful refreshes after the boot (0: the first wait after boot is spread over the interval). */
    long refreshes() {
        return refreshes;
    }

    /** Whether a {@code nholuongut launch} is running now (read by the readiness deadline's thread). */
    boolean launching() {
        return launching;
    }

    /** The group answered: Net brought to its peers, then Scope, then (on a refresh) the reclaim. */
    private DaemonState found(DaemonState state, Discovery discovery, boolean booting) {
        List<String> peers = discovery.addresses();
        if (booting) {
            log.info("peer group {} has {} member(s); peers: {}", discovery.source().describe(), discovery.members(),
                    peers);
            reclaimer.ifPresent(r -> r.booted(discovery));
        } else {
            log.debug("refresh {}: {} member(s), {} peer(s)", ++refreshes, discovery.members(), peers.size());
            logChange(state.peers(), peers);
        }
        // The consensus a launch used (the warm pool left out) is what a launch retried in an outage uses too.
        int[] members = {discovery.members()};
        Phase phase = netTo(state, peers, () -> members[0] = consensus(discovery), booting);
        if (!stopping()) {
            net.applyScope(config.scopeApps(discovery), discovery.self().address());
        }
        // Last: the peers' own update (connect, forget, Scope) never waits for the address-space clean-up.
        if (!booting && phase == Phase.UP && !stopping()) {
            reclaimer.ifPresent(r -> reclaim(r, discovery));
        }
        return new DaemonState(phase, peers, members[0]);
    }

    /**
     * Discovery failed (AWS away, no group yet, denied): the last good peers are kept, and a tool call that
     * failed is retried with them. At boot the saved peers stand in for a discovery; with none, a fresh
     * instance waits for the whole group rather than launch a lone Net.
     */
    private DaemonState failed(DaemonState state) {
        return switch (state.phase()) {
            case BOOTING -> saved.map(s -> fromSaved(state, s)).orElseGet(() -> withoutPeers(state));
            case WAITING_FOR_GROUP, ADOPTED, WARMED, STOPPED -> state;
            case NET_DOWN, UP -> {
                Phase phase = netTo(state, state.peers(), state::members, false);
                if (!stopping()) { // a Net launch may have taken minutes
                    net.retryScope();
                }
                yield state.to(phase);
            }
        };
    }

    private DaemonState fromSaved(DaemonState state, PeerState.Saved last) {
        log.info("discovery failed at boot: starting with the {} last good peers from {}", last.peers().size(),
                store.file());
        discoverer.groupSize(last.members());
        Phase phase = netTo(state, last.peers(), last::members, true);
        if (stopping()) {
            log.debug("stopping before Scope");
        } else if (config.scopeCloudMode() || config.get(ConfigKey.SCOPE_APPS) == ScopeApps.ALL) {
            // Saved peers have no instance ids: only cloud mode's line or the all-apps layout can be drawn from them.
            net.applyScope(ScopeApps.allOf(last.peers(), null), null);
        } else {
            log.info("Scope waits for AWS: which members run its app is known from their instance ids");
        }
        return new DaemonState(phase, last.peers(), last.members());
    }

    private DaemonState withoutPeers(DaemonState state) {
        if (net.netRunning()) {
            // Nothing to tell a running Net yet: replacing its peers with none would cut a healthy mesh.
            log.info("discovery failed at boot and no saved peers: leaving the running Net and Scope as they are"
                    + " until discovery works");
            net.adopt();
            net.adoptRunningScope();
            return state.to(Phase.ADOPTED);
        }
        // Alone, Net would form an address ring of its own (consensus of one) that can never merge with the group's.
        log.info("no saved peers and discovery failed: not launching nholuongut Net until AWS answers (a Net"
                + " launched alone would form an address ring of its own that cannot merge with the group's)");
        return state.to(Phase.WAITING_FOR_GROUP);
    }

    /**
     * Net brought to {@code peers}: told when it is up, adopted when it runs already (an agent restart, or a
     * launch that was reported failed), launched otherwise. Returns {@link Phase#UP} or {@link Phase#NET_DOWN}.
     */
    private Phase netTo(DaemonState state, List<String> peers, IntSupplier members, boolean booting) {
        boolean up = state.netUp();
        if (!up && net.netRunning()) {
            log.info("nholuongut Net is already running: refreshing its peers");
            net.adopt();
            // What a Net of an earlier agent had is what it last saved; those gone since are forgotten.
            saved.filter(s -> booting).ifPresent(s -> net.forgetLater(Reconciler.minus(s.peers(), peers)));
            up = true;
        }
        if (up) {
            net.applyNet(peers);
            return Phase.UP;
        }
        launching = true;
        try {
            int consensus = members.getAsInt();
            // Asking Auto Scaling may have taken a while: a SIGTERM meanwhile launches nothing.
            return !stopping() && net.launchNet(peers, consensus) ? Phase.UP : Phase.NET_DOWN;
        } finally {
            launching = false;
        }
    }

    /**
     * Net's consensus for a launch with the group AWS gave: its members, but those in the Auto Scaling warm
     * pool (SPEC, "Warm pools"), asked of Auto Scaling for this launch (a retried one asks again: a member put in
     * service since must count, or the consensus would be too small), never on a refresh that launches nothing.
     */
    private int consensus(Discovery discovery) {
        Set<String> warm = discoverer.source().warmPoolMembers(discovery);
        long warmMembers = discovery.peers().stream().filter(p -> p.instanceId() != null && warm.contains(p.instanceId()))
                .count();
        if (warmMembers > 0) {
            log.info("{} of the {} member(s) are in the warm pool: consensus={}", warmMembers, discovery.members(),
                    discovery.members() - warmMembers);
        }
        return (int) (discovery.members() - warmMembers);
    }

    private void reclaim(Reclaimer r, Discovery discovery) {
        try {
            r.afterRefresh(discovery, discoverer.source());
        } catch (RuntimeException e) {
            log.warn("reclaiming departed peers failed, trying again next refresh: {}",
                    AgentException.oneLine(String.valueOf(e.getMessage())));
            log.debug("reclaim failure", e);
        }
    }

    private boolean stopping() {
        return stopping.getAsBoolean();
    }

    private static void logChange(List<String> before, List<String> peers) {
        if (!peers.equals(before)) {
            log.info("peers changed: added {}, removed {}; now {} peer(s)", Reconciler.minus(peers, before),
                    Reconciler.minus(before, peers), peers.size());
        }
    }
}
