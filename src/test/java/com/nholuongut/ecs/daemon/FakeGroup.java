package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.UnavailableException;
import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.GroupSource;
import com.nholuongut.ecs.discovery.Peer;
import com.nholuongut.ecs.discovery.PeerSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * AWS as the daemon sees it through its peer source: the group's other members (instance ids {@code i-100},
 * {@code i-101}, ... in the order of {@link #peers}), or a failure; no host of a departed router is left.
 */
final class FakeGroup implements PeerSource {

    final List<String> peers = new ArrayList<>();
    String self = "i-999";
    /** Thrown by every discovery while set: an outage, throttling, no group, a denied action. */
    AgentException error;
    int calls;
    boolean closed;
    /** The members in the group's warm pool, by instance id; every call is counted. */
    final Set<String> warmPool = new java.util.HashSet<>();
    int warmPoolCalls;
    /** Runs inside each warm-pool question, as a SIGTERM while Auto Scaling is being asked. */
    Runnable duringWarmPool = () -> { };
    /** This instance's state as EC2 describes it; null when unknown. */
    String selfState;
    /** Runs inside each discovery, as a SIGTERM that arrives while AWS is being asked. */
    Runnable duringDiscover = () -> { };

    /** An outage: AWS does not answer. */
    void down(boolean down) {
        error = down ? new UnavailableException("cannot reach AWS for ec2:DescribeInstances: test outage", null)
                : null;
    }

    @Override
    public Set<String> presentHosts(Collection<String> hostNames) {
        return Set.of();
    }

    @Override
    public Discovery discover() {
        calls++;
        duringDiscover.run();
        if (error != null) {
            throw error;
        }
        List<Peer> members = new ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
            members.add(new Peer("i-" + (100 + i), peers.get(i), "running"));
        }
        return new Discovery(new InstanceIdentity(self, "us-east-1", "10.0.0.1"),
                GroupSource.tag("nholuongut:peerGroupName", "blue"), members, members.size() + 1);
    }

    @Override
    public Set<String> warmPoolMembers(Discovery discovery) {
        warmPoolCalls++;
        duringWarmPool.run();
        return Set.copyOf(warmPool);
    }

    @Override
    public Optional<String> selfState() {
        return Optional.ofNullable(selfState);
    }

    @Override
    public void close() {
        closed = true;
    }
}
