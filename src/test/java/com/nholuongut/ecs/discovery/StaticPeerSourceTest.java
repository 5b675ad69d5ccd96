package com.nholuongut.ecs.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.aws.InstanceIdentity;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Static {@code PEERS}: the list as given, and a consensus count that counts this host once. */
class StaticPeerSourceTest {

    static final InstanceIdentity NOBODY = new InstanceIdentity(null, null, null);

    @Test
    void list_isSortedAndDeduplicated_ownAddressesKept() {
        Discovery d = new StaticPeerSource(NOBODY, List.of("10.0.0.10", "10.0.0.9", "10.0.0.10", "fd00::1"),
                Set.of("10.0.0.9")).discover();

        assertThat(d.addresses()).containsExactly("10.0.0.9", "10.0.0.10", "fd00::1");
        assertThat(d.source().kind()).isEqualTo(GroupSource.Kind.STATIC);
    }

    @Test
    void members_countThisHostOnce_whateverItsAddressesInTheList() {
        assertThat(members(List.of("10.0.0.2", "10.0.0.3"), Set.of("10.0.0.1"))).as("not listed: + 1")
                .isEqualTo(3);
        assertThat(members(List.of("10.0.0.1", "10.0.0.2", "10.0.0.3"), Set.of("10.0.0.1"))).isEqualTo(3);
        assertThat(members(List.of("10.0.0.1", "fd00::1", "10.0.0.2"), Set.of("10.0.0.1", "fd00:0:0:0:0:0:0:1")))
                .as("IPv4 and IPv6 of this host, the JDK writing the latter in full").isEqualTo(2);
    }

    @Test
    void members_countOurImdsAddress_asOursToo() {
        InstanceIdentity self = new InstanceIdentity("i-1", "us-east-1", "10.0.0.1");
        assertThat(new StaticPeerSource(self, List.of("10.0.0.1", "10.0.0.2"), Set.of()).discover().members())
                .isEqualTo(2);
    }

    static int members(List<String> list, Set<String> local) {
        return new StaticPeerSource(NOBODY, list, local).discover().members();
    }
}
