package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.UsageException;
import com.nholuongut.ecs.aws.AwsClients;
import com.nholuongut.ecs.aws.InstanceIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingInstanceDetails;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagDescription;

/**
 * Finds the peer group (our tag, else our Auto Scaling Group) and its members through EC2 and Auto Scaling.
 * It uses only the three discovery actions that instance roles written for the original image already allow:
 * {@code ec2:DescribeInstances}, {@code ec2:DescribeTags}, {@code autoscaling:DescribeAutoScalingInstances}.
 */
public final class Ec2Discovery {

    /** The tag Auto Scaling puts on every instance it launches. */
    public static final String ASG_TAG = "aws:autoscaling:groupName";
    static final String DESCRIBE_INSTANCES = "ec2:DescribeInstances";
    static final String DESCRIBE_TAGS = "ec2:DescribeTags";
    static final String DESCRIBE_ASG_INSTANCES = "autoscaling:DescribeAutoScalingInstances";

    private static final Logger log = LoggerFactory.getLogger(Ec2Discovery.class);

    /**
     * What discovery needs of the configuration.
     *
     * @param tagKey    the tag key that names the group ({@code PEER_GROUP_TAG})
     * @param groupName the group value to use instead of our own tag's ({@code PEER_GROUP_NAME}), or null
     * @param mode      which group kinds may be used ({@code DISCOVERY})
     */
    public record Settings(String tagKey, String groupName, DiscoveryMode mode) {
    }

    private final AwsClients clients;
    private final Ec2Client ec2;
    private final Settings config;

    /** @param clients the caller's: not closed here */
    public Ec2Discovery(AwsClients clients, Settings settings) {
        this.clients = clients;
        this.ec2 = clients.ec2();
        this.config = settings;
    }

    /** Our identity (address filled in) and our group: learnt once, at boot. */
    public record Located(InstanceIdentity self, GroupSource group) {
    }

    /**
     * Finds our group. Off-instance (no address from IMDS) our own instance is described once,
     * which gives both our address and our tags.
     *
     * @throws NoPeerGroupException when neither the tag nor an Auto Scaling Group names a group
     */
    public Located locate(InstanceIdentity identity) {
        InstanceIdentity self = identity;
        Optional<String> ownTagValue = Optional.empty();
        boolean tagsKnown = false;
        if (self.address() == null) {
            Instance own = describeSelf(self.instanceId());
            self = self.withAddress(own.privateIpAddress());
            ownTagValue = tagValue(own.tags(), config.tagKey());
            tagsKnown = true;
        }
        DiscoveryMode mode = config.mode();
        if (mode != DiscoveryMode.ASG) {
            if (config.groupName() != null) {
                return new Located(self, GroupSource.tag(config.tagKey(), config.groupName()));
            }
            if (!tagsKnown) {
                ownTagValue = describeOwnTag(self.instanceId());
            }
            if (ownTagValue.isPresent()) {
                return new Located(self, GroupSource.tag(config.tagKey(), ownTagValue.get()));
            }
            if (mode == DiscoveryMode.TAG) {
                throw new NoPeerGroupException("no peer group: instance " + self.instanceId() + " has no tag "
                        + config.tagKey() + " (DISCOVERY=tag); tag it with " + config.tagKey()
                        + "=<group name> or set DISCOVERY=auto to use its Auto Scaling Group");
            }
        }
        Optional<String> asg = describeOwnAsg(self.instanceId());
        if (asg.isPresent()) {
            return new Located(self, GroupSource.asg(asg.get()));
        }
        if (mode == DiscoveryMode.ASG) {
            throw new NoPeerGroupException("no peer group: instance " + self.instanceId() + " is not in an Auto"
                    + " Scaling Group (DISCOVERY=asg); launch it in one, or set DISCOVERY=auto to use its "
                    + config.tagKey() + " tag");
        }
        throw new NoPeerGroupException("no peer group: instance " + self.instanceId() + " has no tag "
                + config.tagKey() + " and is not in an Auto Scaling Group; tag it with "
                + config.tagKey() + "=<group name> or launch it in an Auto Scaling Group");
    }

    /**
     * Every instance of the group (us included) in state pending, running, stopping or stopped, paging
     * through large groups: one {@code DescribeInstances} per 1000. Only pending and running ones are
     * members (peers); stopped ones are asked for in the same call so that one terminated later is seen
     * leaving the group (a departure), at no extra cost.
     */
    public List<Peer> instances(GroupSource group) {
        String key = group.memberTagKey();
        String value = group.memberTagValue();
        DescribeInstancesRequest request = DescribeInstancesRequest.builder()
                .filters(Filter.builder().name("tag:" + key).values(filterValue(value)).build(),
                        Filter.builder().name("instance-state-name")
                                .values("pending", "running", "stopping", "stopped").build())
                .maxResults(Ec2Pages.SIZE)
                .build();
        return clients.call(DESCRIBE_INSTANCES, () -> {
            List<Peer> members = new ArrayList<>();
            ec2.describeInstancesPaginator(request).reservations().forEach(reservation -> {
                for (Instance instance : reservation.instances()) {
                    // The filter may match more than asked (wildcards in a hostile value): compare exactly.
                    if (!tagValue(instance.tags(), key).map(value::equals).orElse(false)) {
                        continue;
                    }
                    String address = instance.privateIpAddress();
                    if (address == null || address.isEmpty() || !Addresses.isLiteral(address)) {
                        log.debug("skipping {}: no private address yet", instance.instanceId());
                        continue;
                    }
                    members.add(new Peer(instance.instanceId(), address, instance.state().nameAsString(),
                            instance.privateDnsName(), tagValue(instance.tags(), ASG_TAG).orElse(null)));
                }
            });
            return members;
        });
    }

    /**
     * Which of these host names still belong to an instance that is pending, running, stopping or stopped
     * (by private DNS name: {@code ip-10-0-1-5} matches {@code ip-10-0-1-5.ec2.internal}). Terminated
     * instances lose their DNS name, so a host that is gone finds nothing. One filtered
     * {@code DescribeInstances} per 100 names.
     */
    public Set<String> presentHosts(String region, Collection<String> hostNames) {
        Set<String> present = new HashSet<>();
        List<String> names = hostNames.stream().distinct().toList();
        for (int from = 0; from < names.size(); from += 100) {
            List<String> chunk = names.subList(from, Math.min(names.size(), from + 100));
            // Exact DNS names, no wildcards: a bare host name is completed with both private DNS suffixes
            // EC2 uses (ec2.internal in us-east-1, <region>.compute.internal elsewhere).
            List<String> values = chunk.stream()
                    .flatMap(h -> h.contains(".") ? Stream.of(h)
                            : Stream.of(h + ".ec2.internal", h + "." + region + ".compute.internal"))
                    .map(Ec2Discovery::filterValue).distinct().toList();
            DescribeInstancesRequest request = DescribeInstancesRequest.builder()
                    .filters(Filter.builder().name("private-dns-name").values(values).build(),
                            Filter.builder().name("instance-state-name")
                                    .values("pending", "running", "stopping", "stopped").build())
                    .build();
            clients.call(DESCRIBE_INSTANCES, () -> {
                ec2.describeInstancesPaginator(request).reservations().forEach(r -> r.instances().forEach(i -> {
                    String dns = i.privateDnsName() == null ? "" : i.privateDnsName().toLowerCase(Locale.ROOT);
                    for (String h : chunk) {
                        String host = h.toLowerCase(Locale.ROOT);
                        if (!dns.isEmpty() && (dns.equals(host) || dns.startsWith(host + "."))) {
                            present.add(h);
                        }
                    }
                }));
                return null;
            });
        }
        return present;
    }

    /** Our own instance, asked with a filter; a usage error when the region has no such instance. */
    public Instance describeSelf(String instanceId) {
        return ownInstance(instanceId, null).orElseThrow(
                () -> new UsageException("--instance-id: no instance " + instanceId + " in this region"));
    }

    /** Our own instance's EC2 state ({@code running}, {@code shutting-down}, ...), the call bounded to {@code bound}. */
    public Optional<String> selfState(String instanceId, Duration bound) {
        return ownInstance(instanceId, bound).map(i -> i.state().nameAsString());
    }

    private Optional<Instance> ownInstance(String instanceId, Duration bound) {
        DescribeInstancesRequest.Builder request = DescribeInstancesRequest.builder()
                .filters(Filter.builder().name("instance-id").values(instanceId).build());
        if (bound != null) {
            request.overrideConfiguration(o -> o.apiCallTimeout(bound).apiCallAttemptTimeout(bound));
        }
        return clients.call(DESCRIBE_INSTANCES, () -> ec2.describeInstances(request.build()).reservations()
                .stream().flatMap(r -> r.instances().stream())
                .filter(i -> instanceId.equals(i.instanceId()))
                .findFirst());
    }

    private Optional<String> describeOwnTag(String instanceId) {
        List<TagDescription> tags = clients.call(DESCRIBE_TAGS, () -> ec2.describeTags(b -> b.filters(
                Filter.builder().name("resource-id").values(instanceId).build(),
                Filter.builder().name("key").values(filterValue(config.tagKey())).build())).tags());
        return tags.stream()
                .filter(t -> instanceId.equals(t.resourceId()) && config.tagKey().equals(t.key()))
                .map(TagDescription::value)
                .findFirst();
    }

    private Optional<String> describeOwnAsg(String instanceId) {
        // A list with our own id only: the call then cannot fail as a whole on someone else's unknown id.
        return clients.call(DESCRIBE_ASG_INSTANCES, () -> clients.autoScaling().describeAutoScalingInstances(
                        b -> b.instanceIds(instanceId)).autoScalingInstances())
                .stream()
                .filter(i -> instanceId.equals(i.instanceId()))
                .map(AutoScalingInstanceDetails::autoScalingGroupName)
                .findFirst();
    }

    private static Optional<String> tagValue(List<Tag> tags, String key) {
        return tags.stream().filter(t -> key.equals(t.key())).map(Tag::value).findFirst();
    }

    /**
     * EC2 filter values treat {@code *} and {@code ?} as wildcards: escape them so a tag value is matched
     * literally. A backslash becomes the one-character wildcard, which matches it under every reading
     * of escapes; {@link #instances} then compares values exactly.
     */
    static String filterValue(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 4);
        for (char c : value.toCharArray()) {
            switch (c) {
                case '*' -> sb.append("\\*");
                case '?' -> sb.append("\\?");
                case '\\' -> sb.append('?');
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
