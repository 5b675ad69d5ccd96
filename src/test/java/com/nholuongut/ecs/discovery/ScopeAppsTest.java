package com.nholuongut.ecs.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.aws.InstanceIdentity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which members run the Scope app: the lowest instance ids, the same rule the reclaimer uses. */
class ScopeAppsTest {

    static Discovery as(String selfId, String selfAddress, Peer... peers) {
        return new Discovery(new InstanceIdentity(selfId, "us-east-1", selfAddress), GroupSource.tag("k", "v"),
                List.of(peers), peers.length + 1);
    }

    static Peer peer(String id, String address) {
        return new Peer(id, address, "running");
    }

    @Test
    void of_threeLowestIds_areTheApps_addressesInNumericOrder() {
        Discovery d = as("i-05", "10.0.0.5", peer("i-01", "10.0.0.10"), peer("i-02", "10.0.0.9"),
                peer("i-03", "10.0.0.30"), peer("i-04", "10.0.0.4"));

        ScopeApps apps = ScopeApps.of(d, 3);

        assertThat(apps.self()).isFalse();
        assertThat(apps.addresses()).containsExactly("10.0.0.9", "10.0.0.10", "10.0.0.30");
        assertThat(d.lowestInstanceId()).as("the reclaimer's rule is the first of the same list").contains("i-01");
    }

    @Test
    void of_anAppMember_targetsTheOtherAppsOnly() {
        Discovery d = as("i-01", "10.0.0.1", peer("i-02", "10.0.0.2"), peer("i-03", "10.0.0.3"),
                peer("i-09", "10.0.0.9"));

        ScopeApps apps = ScopeApps.of(d, 3);

        assertThat(apps.self()).isTrue();
        assertThat(apps.addresses()).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertThat(apps.targets("10.0.0.1")).containsExactly("10.0.0.2", "10.0.0.3");
    }

    @Test
    void of_allOrMoreThanTheGroup_isEveryMember_targetingEveryPeer() {
        Discovery d = as("i-05", "10.0.0.5", peer("i-01", "10.0.0.1"), peer("i-09", "10.0.0.9"));

        for (int count : List.of(ScopeApps.ALL, 3, 7)) {
            ScopeApps apps = ScopeApps.of(d, count);

            assertThat(apps.self()).isTrue();
            assertThat(apps.targets("10.0.0.5")).containsExactly("10.0.0.1", "10.0.0.9");
        }
    }

    @Test
    void of_staticPeers_withoutInstanceIds_isAlwaysAll() {
        Discovery d = new Discovery(new InstanceIdentity(null, null, null), GroupSource.staticList(),
                List.of(Peer.ofStatic("10.0.0.2"), Peer.ofStatic("10.0.0.3")), 3);

        ScopeApps apps = ScopeApps.of(d, 1);

        assertThat(apps.self()).isTrue();
        assertThat(apps.targets(null)).containsExactly("10.0.0.2", "10.0.0.3");
    }
}
