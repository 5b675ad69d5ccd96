package com.nholuongut.ecs.doctor;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.aws.AccessDeniedException;
import com.nholuongut.ecs.aws.AwsCalls;
import com.nholuongut.ecs.aws.AwsClients;
import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.discovery.AwsPeerSource;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.Ec2Discovery;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingInstanceDetails;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingInstancesResponse;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsResponse;

/** The credentials, each IAM action discovery needs, the group itself and our metadata options. */
final class AwsChecks {

    private AwsChecks() {
    }

    /** Whether credentials are found; the access key is shown cut short. */
    static boolean credentials(Report report, AwsClients clients) {
        try {
            AwsCredentials c = clients.credentials().resolveCredentials();
            String key = c.accessKeyId();
            String shown = key.length() > 8 ? key.substring(0, 4) + "..." + key.substring(key.length() - 4) : "****";
            report.pass("credentials", "found (access key " + shown + ")");
            return true;
        } catch (SdkException e) {
            report.fail("credentials", AwsCalls.noCredentials(e.getMessage()));
            return false;
        }
    }

    /** EC2 with {@code DryRun} (no work is done); Auto Scaling, which has none, about our own instance. */
    static void iam(Report report, AwsClients clients, InstanceIdentity self) {
        action(report, clients, "ec2:DescribeInstances",
                () -> clients.ec2().describeInstances(b -> b.dryRun(true).maxResults(5)));
        action(report, clients, "ec2:DescribeTags", () -> clients.ec2().describeTags(b -> b.dryRun(true).maxResults(5)));
        // One call for both Auto Scaling checks: it also names the group whose warm pool is asked about.
        AtomicReference<DescribeAutoScalingInstancesResponse> own = new AtomicReference<>();
        action(report, clients, "autoscaling:DescribeAutoScalingInstances", () -> {
            own.set(clients.autoScaling().describeAutoScalingInstances(b -> b.instanceIds(self.instanceId())));
            return own.get();
        });
        warmPool(report, clients, self, own.get());
    }

    /**
     * {@code autoscaling:DescribeWarmPool}, about our own Auto Scaling group: optional (without it a fresh
     * launch counts a running warm pool in Net's consensus), so a denial is a warning, not a failure.
     */
    private static void warmPool(Report report, AwsClients clients, InstanceIdentity self,
                                 DescribeAutoScalingInstancesResponse own) {
        String action = "autoscaling:DescribeWarmPool";
        String name = "iam " + action;
        if (own == null) {
            report.warn(name, "could not check: autoscaling:DescribeAutoScalingInstances, which names the group,"
                    + " failed (above)");
            return;
        }
        Optional<String> asg = own.autoScalingInstances().stream()
                .filter(i -> self.instanceId().equals(i.instanceId()))
                .map(AutoScalingInstanceDetails::autoScalingGroupName).findFirst();
        if (asg.isEmpty()) {
            report.pass(name, "not needed: " + self.instanceId() + " is in no Auto Scaling group");
            return;
        }
        try {
            report.pass(name, clients.permission(action, () -> clients.autoScaling()
                    .describeWarmPool(b -> b.autoScalingGroupName(asg.get()))));
        } catch (AccessDeniedException e) {
            report.warn(name, "denied (" + e.errorCode() + "): a fresh launch then counts a running warm pool in"
                    + " Net's consensus; allow " + action + " in the instance role");
        } catch (AgentException e) {
            report.warn(name, "could not check: " + e.getMessage());
        }
    }

    private static void action(Report report, AwsClients clients, String action, Supplier<?> call) {
        String name = "iam " + action;
        try {
            report.pass(name, clients.permission(action, call));
        } catch (AccessDeniedException e) {
            report.fail(name, "denied (" + e.errorCode() + "): allow " + action + " in the instance role");
        } catch (AgentException e) {
            report.fail(name, "could not check: " + e.getMessage());
        }
    }

    /**
     * Scope's probe ({@code --probe.ecs=true}) reads its region and the role's credentials from the metadata
     * service with a vendored AWS SDK for Go (1.0.5) that knows no IMDSv2 token: where the instance requires
     * tokens its ECS view stays empty, and Scope's log says nothing. EC2 is asked (our instance's metadata
     * options, with the DescribeInstances the agent already has), not the metadata service without a token:
     * that would be IMDSv1, which the agent never uses unless IMDS_V1_FALLBACK=true, and it would count in the
     * instance's MetadataNoToken metric, which operators watch for IMDSv1 callers. A warning: the rest works.
     */
    static void scopeEcsView(Report report, Ec2Discovery ec2, InstanceIdentity self) {
        String name = "scope ecs";
        try {
            InstanceMetadataOptionsResponse options = ec2.describeSelf(self.instanceId()).metadataOptions();
            HttpTokensState tokens = options == null ? null : options.httpTokens();
            if (tokens == HttpTokensState.REQUIRED) {
                report.warn(name, self.instanceId() + " requires IMDSv2 tokens: Scope's ECS view (tasks, services)"
                        + " stays empty, as its probe's AWS SDK predates IMDSv2; allow IMDSv1 (HttpTokens=optional)"
                        + " where that view is needed");
            } else if (tokens == HttpTokensState.OPTIONAL) {
                report.pass(name, self.instanceId() + " allows IMDSv1 (HttpTokens=optional): Scope's probe can"
                        + " read ECS tasks and services");
            } else {
                report.skip(name, "EC2 did not say whether " + self.instanceId() + " requires metadata tokens");
            }
        } catch (AgentException e) {
            report.skip(name, "could not ask EC2 about " + self.instanceId() + "'s metadata options: "
                    + e.getMessage());
        }
    }

    /** The group as discovery finds it; null when it cannot be found. */
    static Discovery group(Report report, DoctorSeams seams, AwsClients clients, InstanceIdentity self) {
        try {
            Discovery d = AwsPeerSource.once(seams.ec2Discovery(clients), self);
            report.pass("group", d.source().describe() + ": " + d.members() + " member(s), " + d.peers().size()
                    + " peer(s)");
            return d;
        } catch (AgentException e) {
            report.fail("group", e.getMessage());
            return null;
        }
    }
}
