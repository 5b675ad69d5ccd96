package com.nholuongut.ecs.doctor;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.aws.AccessDeniedException;
import com.nholuongut.ecs.aws.AwsCalls;
import com.nholuongut.ecs.aws.AwsClients;
import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.discovery.Discovery;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.core.exception.SdkException;

/** The credentials, each IAM action discovery needs, and the group itself. */
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
            report.fail("credentials", "none found: " + AgentException.oneLine(e.getMessage()));
            return false;
        }
    }

    /** EC2 with {@code DryRun} (no work is done); Auto Scaling, which has none, about our own instance. */
    static void iam(Report report, AwsClients clients, InstanceIdentity self) {
        action(report, "ec2:DescribeInstances", () -> clients.ec2().describeInstances(b -> b.dryRun(true).maxResults(5)));
        action(report, "ec2:DescribeTags", () -> clients.ec2().describeTags(b -> b.dryRun(true).maxResults(5)));
        action(report, "autoscaling:DescribeAutoScalingInstances", () -> clients.autoScaling()
                .describeAutoScalingInstances(b -> b.instanceIds(self.instanceId())));
    }

    private static void action(Report report, String action, Supplier<?> call) {
        String name = "iam " + action;
        try {
            report.pass(name, AwsCalls.permission(action, call));
        } catch (AccessDeniedException e) {
            report.fail(name, "denied (" + e.errorCode() + "): allow " + action + " in the instance role");
        } catch (AgentException e) {
            report.fail(name, "could not check: " + e.getMessage());
        }
    }

    /** The group as discovery finds it; null when it cannot be found. */
    static Discovery group(Report report, DoctorSeams seams, AwsClients clients, InstanceIdentity self) {
        try {
            Discovery d = seams.peerSource(clients, self).discover();
            report.pass("group", d.source().describe() + ": " + d.members() + " member(s), " + d.peers().size()
                    + " peer(s)");
            return d;
        } catch (AgentException e) {
            report.fail("group", e.getMessage());
            return null;
        }
    }
}
