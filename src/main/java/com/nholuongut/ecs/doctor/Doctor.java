package com.nholuongut.ecs.doctor;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.aws.AwsClients;
import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.StaticPeerSource;
import java.util.List;

/**
 * The preflight checks of {@code doctor}, in order: metadata service, credentials, each IAM action discovery
 * needs, the group, Scope's ECS view, the peers' ports, the router's address space, encryption and the tools.
 * Each check is independent; one failing does not hide the rest, and a check that needs what failed is skipped.
 */
public final class Doctor {

    /** Net's control port, checked on every peer, and Scope's app port, checked on the app members. */
    public static final int NET_PORT = 6783;
    public static final int SCOPE_PORT = 4040;

    private final AgentConfig config;
    private final DoctorSeams seams;
    private final Report report = new Report();

    public Doctor(AgentConfig config, DoctorSeams seams) {
        this.config = config;
        this.seams = seams;
    }

    /** Runs every check once. */
    public List<Check> run() {
        InstanceIdentity self = identity();
        Discovery discovery = null;
        if (config.isStatic()) {
            report.skip("credentials", "static PEERS: no AWS call is made");
            report.skip("iam", "static PEERS: no AWS call is made");
            discovery = new StaticPeerSource(self == null ? new InstanceIdentity(null, null, null) : self,
                    config.staticPeers(), StaticPeerSource.localAddresses()).discover();
            report.pass("group", "static PEERS: " + discovery.peers().size() + " peer(s)");
        } else if (self == null) {
            report.skip("credentials", "no identity (see imds)");
            report.skip("iam", "no identity (see imds)");
            report.skip("group", "no identity (see imds)");
        } else {
            try (AwsClients clients = seams.awsClients(self.region())) {
                if (AwsChecks.credentials(report, clients)) {
                    AwsChecks.iam(report, clients, self);
                    discovery = AwsChecks.group(report, seams, clients, self);
                    if (config.get(ConfigKey.SCOPE_ENABLED)) {
                        AwsChecks.scopeEcsView(report, seams.ec2Discovery(clients), self);
                    }
                } else {
                    report.skip("iam", "no credentials");
                    report.skip("group", "no credentials");
                }
            }
        }
        if (discovery != null) {
            NetChecks.ports(report, config, discovery, seams.probe());
            NetChecks.ipam(report, config, discovery, seams);
        }
        NetChecks.encryption(report, config);
        NetChecks.tool(report, "tool nholuongut", config.get(ConfigKey.NET_BIN));
        if (config.get(ConfigKey.SCOPE_ENABLED)) {
            NetChecks.tool(report, "tool scope", config.get(ConfigKey.SCOPE_BIN));
        }
        return report.checks();
    }

    /** IMDSv2 answering, or the flags; null when there is no identity (IMDS failed). */
    private InstanceIdentity identity() {
        if (seams.identityFromFlags()) {
            report.skip("imds", "--instance-id given: identity from the flags");
            return seams.identity();
        }
        try {
            InstanceIdentity id = seams.identity();
            String who = id.instanceId() + " in " + id.region() + ", address " + id.address();
            if (id.imdsV2Failed() != null) {
                // Allowed, so not a failure; but the instance is not ready for tokens being required.
                report.warn("imds", "IMDSv1 answered (IMDS_V1_FALLBACK=true), IMDSv2 did not: " + who + "; "
                        + id.imdsV2Failed());
            } else {
                report.pass("imds", "IMDSv2 answered: " + who);
            }
            return id;
        } catch (AgentException e) {
            if (config.isStatic()) {
                report.skip("imds", "not answering, not needed with static PEERS: " + e.getMessage());
            } else {
                report.fail("imds", e.getMessage());
            }
            return null;
        }
    }
}
