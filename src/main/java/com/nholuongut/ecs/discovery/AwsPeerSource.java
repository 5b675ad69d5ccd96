package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.aws.AwsClients;
import com.nholuongut.ecs.aws.InstanceIdentity;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovery through AWS: the group is learnt on the first success and kept, so each later discovery
 * costs one {@code DescribeInstances} per 1000 members.
 */
public final class AwsPeerSource implements PeerSource {

    private static final Logger log = LoggerFactory.getLogger(AwsPeerSource.class);
    /** At SIGTERM the decision must be made within the stop's grace: one bounded call. */
    static final Duration SELF_STATE_TIMEOUT = Duration.ofSeconds(2);

    private final AwsClients clients;
    private final Ec2Discovery ec2Discovery;
    private final WarmPool warmPool;
    private final InstanceIdentity identity;
    private Ec2Discovery.Located located;

    /** @param clients built for this source, which closes them */
    public AwsPeerSource(AwsClients clients, Ec2Discovery.Settings settings, InstanceIdentity identity) {
        this.clients = Objects.requireNonNull(clients, "clients");
        this.ec2Discovery = new Ec2Discovery(clients, settings);
        this.warmPool = new WarmPool(clients);
        this.identity = identity;
    }

    /** One discovery through {@code ec2Discovery}, whose clients stay its caller's (doctor's group check). */
    public static Discovery once(Ec2Discovery ec2Discovery, InstanceIdentity identity) {
        Ec2Discovery.Located located = ec2Discovery.locate(identity);
        return fromInstances(located.self(), located.group(), ec2Discovery.instances(located.group()));
    }

    @Override
    public Discovery discover() {
        if (located == null) {
            located = ec2Discovery.locate(identity);
            log.debug("peer group: {}", located.group().describe());
        }
        Discovery d = fromInstances(located.self(), located.group(), ec2Discovery.instances(located.group()));
        log.debug("{} member(s) in {}, {} peer(s)", d.members(), located.group().describe(), d.peers().size());
        return d;
    }

    @Override
    public Set<String> warmPoolMembers(Discovery discovery) {
        return warmPool.members(discovery);
    }

    @Override
    public Optional<String> selfState() {
        return ec2Discovery.selfState(identity.instanceId(), SELF_STATE_TIMEOUT);
    }

    @Override
    public Set<String> presentHosts(Collection<String> hostNames) {
        if (hostNames.isEmpty()) {
            return Set.of();
        }
        return ec2Discovery.presentHosts(located == null ? identity.region() : located.self().region(), hostNames);
    }

    /**
     * Peers from the group's instances: pending and running ones other than us, one per address,
     * numerically sorted; the stopping and stopped ones are kept apart.
     */
    static Discovery fromInstances(InstanceIdentity self, GroupSource group, List<Peer> instances) {
        Map<String, Peer> byAddress = new TreeMap<>(Addresses.NUMERIC);
        boolean selfListed = false;
        List<Peer> stopped = instances.stream().filter(p -> !Peer.isLive(p.state()))
                .filter(p -> !p.instanceId().equals(self.instanceId())).toList();
        List<Peer> ordered = instances.stream().filter(p -> Peer.isLive(p.state()))
                .sorted(Comparator.comparing(Peer::instanceId)).toList();
        for (Peer member : ordered) {
            if (member.instanceId().equals(self.instanceId())) {
                selfListed = true;
                continue;
            }
            if (member.address().equals(self.address())) {
                continue;
            }
            byAddress.putIfAbsent(member.address(), member);
        }
        int count = (int) ordered.stream().map(Peer::instanceId).distinct().count() + (selfListed ? 0 : 1);
        return new Discovery(self, group, List.copyOf(byAddress.values()), count, stopped);
    }

    @Override
    public void close() {
        clients.close();
    }
}
