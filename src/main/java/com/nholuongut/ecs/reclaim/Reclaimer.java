package com.nholuongut.ecs.reclaim;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.Peer;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.launch.RouterReport;
import com.nholuongut.ecs.launch.Tools;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes back the IP address space of peers that left for good, on exactly one survivor: the current member
 * with the lowest instance id ({@link Discovery#lowestInstanceId()}), which every agent computes from the
 * same AWS view, so no coordination is needed. While the {@link DepartureWatch} is on, that member reads the
 * router's own view ({@code nholuongut report}: peers that own address space but are gone from the topology)
 * and asks AWS about their hosts; a peer is departed when no instance with its host name is pending,
 * running, stopping or stopped on {@link #CHECKS_TO_CONFIRM} consecutive successful checks. So a stopped
 * instance, an unreachable running one, or a host name reused by a new instance is never taken for
 * departed, and the decision needs no memory of who was there (restarts, a new lowest member and long
 * outages are covered). A departure no agent finished (a lower id joined during the checks) is found at
 * the next one: the report shows every dead peer. Reclaims are remembered ({@link ReclaimedStore}).
 */
public final class Reclaimer {

    /** Consecutive successful checks that must find a peer's host gone: one API hiccup is not a departure. */
    static final int CHECKS_TO_CONFIRM = 2;
    /** Net's peer names are MAC-like; anything else is not passed to rmpeer (it could read as an option). */
    private static final Pattern PEER_NAME = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");

    private static final Logger log = LoggerFactory.getLogger(Reclaimer.class);

    private final Tools tools;
    private final ReclaimedStore reclaimed;
    private final DepartureWatch watch;
    /** Peer name to the number of consecutive checks that found its host gone. */
    private final Map<String, Integer> confirmations = new HashMap<>();
    /** Checks left after the watch for peers still awaiting confirmation (a failing rmpeer, say). */
    private int extraChecks;

    /** @param clock the time the departure watch is measured in */
    public Reclaimer(Tools tools, Path stateDir, Clock clock) {
        this.tools = tools;
        this.reclaimed = new ReclaimedStore(stateDir);
        this.watch = new DepartureWatch(clock);
    }

    /** The peers saved before this agent started: those no longer in the group at the first refresh left. */
    public void lastKnown(Collection<String> addresses) {
        watch.lastKnown(addresses);
    }

    /**
     * The group as boot found it: the first refresh compares with it, so a member that leaves between this
     * agent's boot and its first refresh is a departure too (the agent that booted last may be the lowest).
     */
    public void booted(Discovery discovery) {
        observe(discovery);
    }

    /** Called after each successful discovery, once Net and Scope have been told about the new peers. */
    public void afterRefresh(Discovery discovery, PeerSource source) {
        boolean watching = observe(discovery);
        Optional<String> lowest = discovery.lowestInstanceId();
        if (lowest.isEmpty() || !lowest.get().equals(discovery.self().instanceId())) {
            // Not ours to do (or static peers): the lowest member watches the same departures.
            confirmations.clear();
            return;
        }
        if (watch.departedNow()) {
            // The refresh that sees a member leave only updates the peers: the router needs a moment to count
            // the dead peer as gone anyway.
            return;
        }
        if (!watching && !extraCheck()) {
            return;
        }
        check(source);
    }

    private boolean observe(Discovery discovery) {
        boolean watching = watch.observe(discovery);
        if (watch.departedNow()) {
            extraChecks = CHECKS_TO_CONFIRM;
        }
        return watching;
    }

    /** After the watch: one more check while peers await confirmation, a WARN when giving them up. */
    private boolean extraCheck() {
        if (!confirmations.isEmpty() && extraChecks > 0) {
            extraChecks--;
            return true;
        }
        if (!confirmations.isEmpty()) {
            log.warn("gave up reclaiming the address space of {} for now: it will be tried again after the next"
                    + " departure (nholuongut rmpeer by hand works too)", confirmations.keySet());
            confirmations.clear();
        }
        watch.clearDeparted();
        return false;
    }

    private void check(PeerSource source) {
        Map<String, RouterReport.Holder> dead = deadPeers();
        if (dead == null) {
            // No report: not a check, the streaks neither grow nor end.
            return;
        }
        confirmations.keySet().retainAll(dead.keySet());
        if (dead.isEmpty()) {
            return;
        }
        Set<String> present;
        try {
            present = source.presentHosts(dead.values().stream().map(RouterReport.Holder::nickname).toList());
        } catch (AgentException e) {
            // Not a successful check: the streak neither grows nor ends.
            log.debug("cannot check the hosts of unreachable peers: {}", e.getMessage());
            return;
        }
        for (RouterReport.Holder h : dead.values()) {
            if (present.contains(h.nickname())) {
                // Its instance is still there (stopped, unreachable, or the name went to a new instance).
                confirmations.remove(h.name());
                continue;
            }
            int seen = confirmations.merge(h.name(), 1, Integer::sum);
            log.debug("peer {} owns {} address(es); no instance has host {} (check {} of {})", h.name(),
                    h.addresses(), h.nickname(), seen, CHECKS_TO_CONFIRM);
            if (seen >= CHECKS_TO_CONFIRM && tools.rmpeer(h.name())) {
                Peer member = watch.departedMember(h.nickname());
                log.info("reclaimed the address space of departed peer {} (host {}, instance {}, address {}): {}"
                        + " address(es) taken over", h.name(), h.nickname(),
                        member == null ? "unknown" : member.instanceId(), member == null ? "unknown" : member.address(),
                        h.addresses());
                confirmations.remove(h.name());
                reclaimed.add(h.name(), h.nickname());
            }
        }
    }

    /**
     * The router's dead peers that may be reclaimed (a MAC-like name, a nickname, not us, not done before), by
     * name; null when there is no readable report.
     */
    private Map<String, RouterReport.Holder> deadPeers() {
        String text = tools.report();
        if (text == null) {
            return null;
        }
        RouterReport report;
        try {
            report = RouterReport.parse(text);
        } catch (IllegalArgumentException e) {
            log.warn("cannot read nholuongut report: {}", e.getMessage());
            return null;
        }
        Map<String, RouterReport.Holder> byName = new LinkedHashMap<>();
        for (RouterReport.Holder h : report.deadHolders()) {
            if (!PEER_NAME.matcher(h.name()).matches() || h.name().equals(report.ownName())
                    || reclaimed.contains(h.name())) {
                continue;
            }
            if (h.nickname() == null || h.nickname().isBlank()) {
                log.debug("peer {} owns {} address(es) but has no nickname to find its instance by", h.name(),
                        h.addresses());
                continue;
            }
            byName.put(h.name(), h);
        }
        return byName;
    }
}
