package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.aws.InstanceIdentity;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The outcome of one discovery: who we are, which group, and the peers to join.
 *
 * @param self    our identity
 * @param source  the group
 * @param peers   members other than us, with addresses, numerically sorted, one per address
 * @param members group size including us (the Net consensus count)
 * @param stopped the group's stopping and stopped instances: not peers, but not gone either (they may start
 *                again), so that one leaving for good later is seen as a departure
 */
public record Discovery(InstanceIdentity self, GroupSource source, List<Peer> peers, int members,
        List<Peer> stopped) {

    public Discovery {
        peers = List.copyOf(peers);
        stopped = List.copyOf(stopped);
    }

    /** A discovery that saw no stopped instance (static peers, tests). */
    public Discovery(InstanceIdentity self, GroupSource source, List<Peer> peers, int members) {
        this(self, source, peers, members, List.of());
    }

    /**
     * The member with the lowest instance id, us included: the one that reclaims departed peers' address
     * space. Empty when an id is unknown (static peers), where no member is chosen.
     */
    public Optional<String> lowestInstanceId() {
        return lowestMembers(1).map(lowest -> lowest.get(0).instanceId());
    }

    /**
     * The {@code count} members with the lowest instance ids, us included, in id order: the one rule by which
     * every member, from the same AWS view, picks the same members for a job (reclaiming address space,
     * running the Scope app) without coordination. Empty when an id is unknown (static peers).
     */
    public Optional<List<Peer>> lowestMembers(int count) {
        if (self.instanceId() == null || peers.stream().anyMatch(p -> p.instanceId() == null)) {
            return Optional.empty();
        }
        Peer us = new Peer(self.instanceId(), self.address() == null ? "" : self.address(), "running");
        return Optional.of(Stream.concat(Stream.of(us), peers.stream())
                .sorted(Comparator.comparing(Peer::instanceId)).limit(count).toList());
    }

    /** The peers' addresses in order. */
    public List<String> addresses() {
        return peers.stream().map(Peer::address).toList();
    }
}
