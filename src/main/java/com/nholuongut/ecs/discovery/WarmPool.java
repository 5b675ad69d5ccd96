package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.aws.AccessDeniedException;
import com.nholuongut.ecs.aws.AwsClients;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.autoscaling.model.DescribeWarmPoolRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * What Auto Scaling and EC2 say of lives in the group (SPEC, "Auto Scaling lifecycle"): which members sit in
 * an Auto Scaling group's warm pool (asked only when Net's consensus is counted for a fresh launch: a running
 * warm pool counted in it would make the first allocation wait for ever), and this instance's own state, asked
 * once at SIGTERM.
 */
final class WarmPool {

    static final String DESCRIBE_WARM_POOL = "autoscaling:DescribeWarmPool";
    /** At SIGTERM the decision must be made within the stop's grace: one bounded call. */
    static final Duration SELF_STATE_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(WarmPool.class);

    private final AwsClients clients;
    /** One WARN for a denial or a failure, however many launches ask: each retried launch asks again. */
    private boolean warned;

    WarmPool(AwsClients clients) {
        this.clients = clients;
    }

    /**
     * The instance ids in the warm pools of the Auto Scaling groups the members come from (their
     * {@code aws:autoscaling:groupName} tag; in ASG mode, the group's own): a tag group that an Auto Scaling
     * group launches has its warm pool too, and a tag group of hand-launched instances costs no call. Empty,
     * with one WARN, when the action is denied or fails: every member is then counted.
     */
    Set<String> members(Discovery discovery) {
        Set<String> groups = new TreeSet<>();
        if (discovery.source().kind() == GroupSource.Kind.ASG) {
            groups.add(discovery.source().name());
        }
        discovery.peers().stream().map(Peer::autoScalingGroup).filter(Objects::nonNull).forEach(groups::add);
        Set<String> ids = new HashSet<>();
        try {
            for (String group : groups) {
                DescribeWarmPoolRequest request = DescribeWarmPoolRequest.builder().autoScalingGroupName(group).build();
                clients.call(DESCRIBE_WARM_POOL, () -> {
                    clients.autoScaling().describeWarmPoolPaginator(request).stream()
                            .flatMap(page -> page.instances().stream())
                            .forEach(i -> ids.add(i.instanceId()));
                    return ids;
                });
            }
            return ids;
        } catch (AccessDeniedException e) {
            if (!warned) {
                warned = true;
                log.warn("{}: Net's consensus counts every member, which may be too large if the group has a running"
                        + " warm pool (its first allocation then waits for members that never come)", e.getMessage());
            }
            return Set.of();
        } catch (AgentException e) {
            if (!warned) {
                warned = true;
                log.warn("cannot read the group's warm pool ({}): Net's consensus counts every member", e.getMessage());
            }
            return Set.of();
        }
    }

    /** This instance's state as EC2 describes it, bounded to {@link #SELF_STATE_TIMEOUT}; empty when unknown. */
    Optional<String> selfState(String selfId) {
        DescribeInstancesRequest request = DescribeInstancesRequest.builder()
                .filters(Filter.builder().name("instance-id").values(selfId).build())
                .overrideConfiguration(o -> o.apiCallTimeout(SELF_STATE_TIMEOUT).apiCallAttemptTimeout(SELF_STATE_TIMEOUT))
                .build();
        return clients.call(Ec2Discovery.DESCRIBE_INSTANCES, () -> clients.ec2().describeInstances(request)
                .reservations().stream().flatMap(r -> r.instances().stream())
                .filter(i -> selfId.equals(i.instanceId()))
                .map(i -> i.state().nameAsString())
                .findFirst());
    }
}
