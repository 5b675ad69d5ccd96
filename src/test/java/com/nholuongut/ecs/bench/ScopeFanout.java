package com.nholuongut.ecs.bench;

import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.GroupSource;
import com.nholuongut.ecs.discovery.Peer;
import com.nholuongut.ecs.discovery.ScopeApps;
import java.util.ArrayList;
import java.util.List;

/**
 * Probe-to-app connections of a Scope standalone group, counted from the agent's own rule: every member
 * computes its {@link ScopeApps} from the same view, and its probe reports to its own app (when it runs one)
 * and to the addresses on its launch line. Run by {@code bench/fleet.sh}.
 */
public final class ScopeFanout {

    private ScopeFanout() {
    }

    /** Connections in a group of {@code size} when {@code apps} members run the app. */
    static long connections(int size, int apps) {
        List<Peer> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(new Peer(String.format("i-%017x", 0x9e3779b97f4a7c15L * (i + 1) >>> 4),
                    "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), "running"));
        }
        long total = 0;
        for (Peer self : members) {
            List<Peer> peers = members.stream().filter(p -> p != self).toList();
            Discovery d = new Discovery(new InstanceIdentity(self.instanceId(), "us-east-1", self.address()),
                    GroupSource.tag("nholuongut:peerGroupName", "bench"), peers, size);
            ScopeApps scope = ScopeApps.of(d, apps);
            total += (scope.self() ? 1 : 0) + (scope.self() ? scope.targets(self.address()) : scope.addresses()).size();
        }
        return total;
    }

    public static void main(String[] args) {
        System.out.println("Scope standalone: probe-to-app connections (each probe to its own app and its line's apps)");
        System.out.printf("%8s %14s %14s%n", "members", "SCOPE_APPS=all", "SCOPE_APPS=3");
        for (int size : new int[] {10, 100, 1000}) {
            System.out.printf("%8d %14d %14d%n", size, connections(size, ScopeApps.ALL), connections(size, 3));
        }
    }
}
