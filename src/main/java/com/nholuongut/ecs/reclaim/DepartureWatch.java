package com.nholuongut.ecs.reclaim;

import com.nholuongut.ecs.discovery.Addresses;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.Peer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * When to look at the router: after a member left the group (terminated, or out of its Auto Scaling Group;
 * a stopped instance is still in the group), from the next refresh on, for {@link #WATCH} of the clock and at
 * least {@link #MIN_WATCH_REFRESHES} refreshes (fewer fit in that time when the API budget stretches the
 * interval), since the router may count a dead peer as connected for a while.
 * Members gone while the agent was down are found at its first refresh, from the peers it last saved.
 * Every member keeps the same watch, so a next-lowest member taking over goes on for the same time.
 */
final class DepartureWatch {

    static final Duration WATCH = Duration.ofMinutes(10);
    static final int MIN_WATCH_REFRESHES = 10;

    private final Clock clock;
    /** Instance ids of the group at the last refresh; null before the first. */
    private Map<String, Peer> previous;
    /** The addresses saved before this agent started, until its first refresh compares them. */
    private Set<String> lastKnown;
    /** Members that left, by host name (their nicknames in Net), for the reclaim's log line. */
    private final Map<String, Peer> departedHosts = new HashMap<>();
    private int refreshesLeft;
    private Instant watchUntil = Instant.MIN;
    private boolean departedNow;

    /** @param clock the time the watch is measured in */
    DepartureWatch(Clock clock) {
        this.clock = clock;
    }

    /** The peers saved before this agent started: those no longer in the group at the first refresh left. */
    void lastKnown(Collection<String> addresses) {
        lastKnown = new TreeSet<>(Addresses.NUMERIC);
        lastKnown.addAll(addresses);
    }

    /** Takes in one successful discovery; true while the watch is on (not on the refresh that saw a departure). */
    boolean observe(Discovery discovery) {
        Map<String, Peer> group = new HashMap<>();
        for (List<Peer> list : List.of(discovery.peers(), discovery.stopped())) {
            list.stream().filter(p -> p.instanceId() != null).forEach(p -> group.put(p.instanceId(), p));
        }
        boolean departed = false;
        if (previous != null) {
            for (Peer gone : previous.values()) {
                if (!group.containsKey(gone.instanceId())) {
                    departed = true;
                    hostsOf(gone).forEach(h -> departedHosts.put(h, gone));
                }
            }
        } else if (lastKnown != null) {
            group.values().forEach(p -> lastKnown.remove(p.address()));
            lastKnown.remove(discovery.self().address());
            departed = !lastKnown.isEmpty();
        }
        previous = group;
        lastKnown = null;
        departedNow = departed;
        if (departed) {
            refreshesLeft = MIN_WATCH_REFRESHES + 1;
            watchUntil = clock.instant().plus(WATCH);
        }
        boolean watching = refreshesLeft > 0 || !clock.instant().isAfter(watchUntil);
        refreshesLeft = Math.max(0, refreshesLeft - 1);
        return watching && !departed;
    }

    /** Whether the last discovery saw a member leave. */
    boolean departedNow() {
        return departedNow;
    }

    /** Forgets the members seen leaving, once nothing is pending about them. */
    void clearDeparted() {
        departedHosts.clear();
    }

    /** The member that had this host, if this agent saw it leave. */
    Peer departedMember(String host) {
        return departedHosts.get(host.toLowerCase(Locale.ROOT));
    }

    private static List<String> hostsOf(Peer p) {
        if (p.dnsName() == null || p.dnsName().isEmpty()) {
            return List.of();
        }
        String dns = p.dnsName().toLowerCase(Locale.ROOT);
        return dns.contains(".") ? List.of(dns, dns.substring(0, dns.indexOf('.'))) : List.of(dns);
    }
}
