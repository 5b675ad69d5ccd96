package com.nholuongut.ecs.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which members run the Scope app in standalone mode: the {@code SCOPE_APPS} members with the lowest instance
 * ids ({@link Discovery#lowestMembers}), us included. Every other member runs a probe only, reporting to all
 * of them: N x k connections for a group of N instead of N x N. With {@link #ALL}, or static peers (no ids),
 * every member runs an app and reports to every other one, the original layout.
 *
 * @param self      whether this member runs an app
 * @param addresses the app members' addresses, numerically sorted, this member's included when it is one
 */
public record ScopeApps(boolean self, List<String> addresses) {

    /** {@code SCOPE_APPS=all}: every member runs an app. */
    public static final int ALL = Integer.MAX_VALUE;

    public ScopeApps {
        addresses = List.copyOf(addresses);
    }

    /** The app members of this discovery when {@code count} of them run an app. */
    public static ScopeApps of(Discovery discovery, int count) {
        Optional<List<Peer>> lowest = count == ALL ? Optional.empty() : discovery.lowestMembers(count);
        if (lowest.isEmpty()) {
            return allOf(discovery.addresses(), discovery.self().address());
        }
        String selfId = discovery.self().instanceId();
        List<String> addresses = new ArrayList<>(lowest.get().stream().map(Peer::address)
                .filter(a -> !a.isEmpty()).toList());
        addresses.sort(Addresses.NUMERIC);
        return new ScopeApps(lowest.get().stream().anyMatch(p -> p.instanceId().equals(selfId)), addresses);
    }

    /** Every member runs an app: the peers, and this member when its address is known. */
    public static ScopeApps allOf(List<String> peers, String selfAddress) {
        List<String> addresses = new ArrayList<>(peers);
        if (selfAddress != null && !addresses.contains(selfAddress)) {
            addresses.add(selfAddress);
        }
        addresses.sort(Addresses.NUMERIC);
        return new ScopeApps(true, addresses);
    }

    /** Where this member's probe reports besides its own app (which {@code scope} targets by itself). */
    public List<String> targets(String selfAddress) {
        return addresses.stream().filter(a -> !a.equals(selfAddress)).toList();
    }
}
