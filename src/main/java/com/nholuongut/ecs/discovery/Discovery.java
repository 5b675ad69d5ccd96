package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.metadata.InstanceIdentity;
import java.util.List;

/**
 * The outcome of one discovery: who we are, which group, and the peers to join.
 *
 * @param self    our identity
 * @param source  the group
 * @param peers   members other than us, with addresses, numerically sorted, one per address
 * @param members group size including us (the Net consensus count)
 */
public record Discovery(InstanceIdentity self, GroupSource source, List<Peer> peers, int members) {

    public Discovery {
        peers = List.copyOf(peers);
    }

    /** The peers' addresses in order. */
    public List<String> addresses() {
        return peers.stream().map(Peer::address).toList();
    }
}
