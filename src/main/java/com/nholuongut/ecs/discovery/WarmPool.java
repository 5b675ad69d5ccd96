package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.aws.AccessDeniedException;
import com.nholuongut.ecs.aws.AwsClients;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.autoscaling.model.DescribeWarmPoolRequest;

/**
 * Which members sit in an Auto Scaling group's warm pool (SPEC, "Auto Scaling lifecycle"), asked only when
 * Net's consensus is counted for a launch: a running warm pool counted in it would make the first allocation
 * wait for ever.
 */
final class WarmPool {

    static final String DESCRIBE_WARM_POOL = "autoscaling:DescribeWarmPool";

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
            warnOnce(e.getMessage() + ": Net's consensus counts every member, which may be too large if the group has"
                    + " a running warm pool (its first allocation then waits for members that never come)");
            return Set.of();
        } catch (AgentException e) {
            warnOnce("cannot read the group's warm pool (" + e.getMessage() + "): Net's consensus counts every member");
            return Set.of();
        }
    }

    private void warnOnce(String line) {
        if (!warned) {
            warned = true;
            log.warn(line);
        }
    }
}
