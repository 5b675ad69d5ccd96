package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.aws.InstanceIdentity;
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
        if (self.instanceId() == null || peers.stream().anyMatch(p -> p.instanceId() == null)) {
            return Optional.empty();
        }
        return Stream.concat(Stream.of(self.instanceId()),
                peers.stream().map(Peer::instanceId)).min(String::compareTo);
    }

    /** The peers' addresses in order. */
    public List<String> addresses() {
        return peers.stream().map(Peer::address).toList();
    }
}
