package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.aws.InstanceIdentity;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The {@code PEERS} list: no AWS call, the same answer every time. */
public final class StaticPeerSource implements PeerSource {

    private final Discovery discovery;

    /**
     * @param addresses the list: the peers, exactly (sorted numerically, without duplicates), for SPEC says
     *                  it replaces discovery; an address of our own in it is harmless to Net
     * @param local     this host's own addresses: not left out, but an own address in the list means we are
     *                  a member already, so Net's consensus count is not one too high (one list for the
     *                  whole group is the common case)
     */
    public StaticPeerSource(InstanceIdentity self, List<String> addresses, Set<String> local) {
        TreeSet<String> sorted = new TreeSet<>(Addresses.NUMERIC);
        sorted.addAll(addresses);
        // Compared numerically on both sides: the JDK writes ::1 as 0:0:0:0:0:0:0:1.
        TreeSet<String> own = new TreeSet<>(Addresses.NUMERIC);
        local.stream().filter(Addresses::isLiteral).forEach(own::add);
        if (self.address() != null) {
            own.add(self.address());
        }
        // This host counts once, however many of its addresses (IPv4 and IPv6, say) the list holds.
        long ownListed = sorted.stream().filter(own::contains).count();
        List<Peer> peers = sorted.stream().map(Peer::ofStatic).toList();
        this.discovery = new Discovery(self, GroupSource.staticList(), peers, (int) (peers.size() - ownListed) + 1);
    }

    @Override
    public Discovery discover() {
        return discovery;
    }

    /** The addresses of this host's network interfaces (a local look-up: no traffic). */
    public static Set<String> localAddresses() {
        Set<String> local = new HashSet<>();
        try {
            Enumeration<NetworkInterface> interfaces = NetworkInterface.getNetworkInterfaces();
            while (interfaces != null && interfaces.hasMoreElements()) {
                interfaces.nextElement().inetAddresses().forEach(a -> {
                    String text = a.getHostAddress();
                    int zone = text.indexOf('%');
                    local.add(zone < 0 ? text : text.substring(0, zone));
                });
            }
        } catch (SocketException e) {
            // no interfaces to compare with: keep the whole list
        }
        return local;
    }
}
