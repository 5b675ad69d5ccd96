package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.metadata.InstanceIdentity;
import java.util.List;
import java.util.TreeSet;

/** The {@code PEERS} list: no AWS call, the same answer every time. */
public final class StaticPeerSource implements PeerSource {

    private final Discovery discovery;

    public StaticPeerSource(InstanceIdentity self, List<String> addresses) {
        TreeSet<String> sorted = new TreeSet<>(Addresses.NUMERIC);
        sorted.addAll(addresses);
        List<Peer> peers = sorted.stream().map(Peer::ofStatic).toList();
        this.discovery = new Discovery(self, GroupSource.staticList(), peers, peers.size() + 1);
    }

    @Override
    public Discovery discover() {
        return discovery;
    }
}
