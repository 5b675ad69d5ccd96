package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.metadata.InstanceIdentity;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The {@code PEERS} list: no AWS call, the same answer every time. */
public final class StaticPeerSource implements PeerSource {

    private final Discovery discovery;

    /**
     * @param addresses the list
     * @param local     this host's own addresses: left out of the list, so one list can serve every member
     *                  (and Net's consensus count is right)
     */
    public StaticPeerSource(InstanceIdentity self, List<String> addresses, Set<String> local) {
        TreeSet<String> sorted = new TreeSet<>(Addresses.NUMERIC);
        sorted.addAll(addresses);
        sorted.removeAll(local);
        if (self.address() != null) {
            sorted.remove(self.address());
        }
        List<Peer> peers = sorted.stream().map(Peer::ofStatic).toList();
        this.discovery = new Discovery(self, GroupSource.staticList(), peers, peers.size() + 1);
    }

    @Override
    public Discovery discover() {
        return discovery;
    }

    /** The addresses of this host's network interfaces (a local look-up: no traffic). */
    public static Set<String> localAddresses() {
        Set<String> local = new java.util.HashSet<>();
        try {
            var interfaces = java.net.NetworkInterface.getNetworkInterfaces();
            while (interfaces != null && interfaces.hasMoreElements()) {
                interfaces.nextElement().inetAddresses().forEach(a -> {
                    String text = a.getHostAddress();
                    int zone = text.indexOf('%');
                    local.add(zone < 0 ? text : text.substring(0, zone));
                });
            }
        } catch (java.net.SocketException e) {
            // no interfaces to compare with: keep the whole list
        }
        return local;
    }
}
