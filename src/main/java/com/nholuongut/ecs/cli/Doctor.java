package com.nholuongut.ecs.cli;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.discovery.AwsClients;
import com.nholuongut.ecs.discovery.AwsPeerSource;
import com.nholuongut.ecs.discovery.AwsTimeouts;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.Ec2Discovery;
import com.nholuongut.ecs.discovery.StaticPeerSource;
import com.nholuongut.ecs.launch.RouterReport;
import com.nholuongut.ecs.launch.SystemProcessRunner;
import com.nholuongut.ecs.launch.Tools;
import com.nholuongut.ecs.metadata.InstanceIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The preflight checks of {@code doctor}: metadata service, credentials, each IAM action discovery needs,
 * the group, the peers' ports and the tools. Each check is independent; one failing does not hide the rest.
 */
final class Doctor {

    /** Net's control port and Scope's app port, checked on every peer. */
    static final int NET_PORT = 6783;
    static final int SCOPE_PORT = 4040;
    static final Duration PORT_TIMEOUT = Duration.ofSeconds(1);

    /** The outcome of one check. */
    enum Status { PASS, FAIL, SKIP, WARN }

    /** One line of the report. */
    record Check(String name, Status status, String detail) {
    }

    private final CommonOptions options;
    private final AgentConfig config;
    private final Map<String, String> env;
    private final PortProbe probe;
    private final List<Check> checks = new ArrayList<>();

    Doctor(CommonOptions options, AgentConfig config, Map<String, String> env, PortProbe probe) {
        this.options = options;
        this.config = config;
        this.env = env;
        this.probe = probe;
    }

    List<Check> run() {
        InstanceIdentity self = identity();
        Discovery discovery = null;
        if (config.isStatic()) {
            skip("credentials", "static PEERS: no AWS call is made");
            skip("iam", "static PEERS: no AWS call is made");
            discovery = new StaticPeerSource(self == null ? new InstanceIdentity(null, null, null) : self,
                    config.staticPeers(), StaticPeerSource.localAddresses()).discover();
            pass("group", "static PEERS: " + discovery.peers().size() + " peer(s)");
        } else if (self == null) {
            skip("credentials", "no identity (see imds)");
            skip("iam", "no identity (see imds)");
            skip("group", "no identity (see imds)");
        } else {
            // Each check may wait as long as discover would for a slow answer.
            AwsTimeouts timeouts = AwsTimeouts.within(config.discoverTimeout());
            try (AwsClients clients = AwsClients.create(self.region(), env, AwsClients.httpClient(timeouts.attempt()),
                    timeouts)) {
                boolean credentialsFound = credentials(clients);
                if (credentialsFound) {
                    iam(clients, self);
                    discovery = group(clients, self);
                } else {
                    skip("iam", "no credentials");
                    skip("group", "no credentials");
                }
            }
        }
        if (discovery != null) {
            ports(discovery);
            ipam(discovery);
        }
        encryption();
        tool("tool nholuongut", config.netBin());
        if (config.scopeEnabled()) {
            tool("tool scope", config.scopeBin());
        }
        return checks;
    }

    private InstanceIdentity identity() {
        if (options.instanceId != null) {
            skip("imds", "--instance-id given: identity from the flags");
            return PeerSources.identity(options, config, env);
        }
        try {
            InstanceIdentity id = PeerSources.identity(options, config, env);
            pass("imds", "IMDSv2 answered: " + id.instanceId() + " in " + id.region() + ", address " + id.address());
            return id;
        } catch (AgentException e) {
            if (config.isStatic()) {
                skip("imds", "not answering, not needed with static PEERS: " + e.getMessage());
            } else {
                fail("imds", e.getMessage());
            }
            return null;
        }
    }

    private boolean credentials(AwsClients clients) {
        try {
            AwsCredentials c = clients.credentials().resolveCredentials();
            String key = c.accessKeyId();
            String shown = key.length() > 8 ? key.substring(0, 4) + "..." + key.substring(key.length() - 4) : "****";
            pass("credentials", "found (access key " + shown + ")");
            return true;
        } catch (SdkException e) {
            fail("credentials", "none found: " + AgentException.oneLine(e.getMessage()));
            return false;
        }
    }

    private void iam(AwsClients clients, InstanceIdentity self) {
        // EC2 honours DryRun: it checks the permission and answers DryRunOperation without doing the work.
        action("ec2:DescribeInstances", () -> clients.ec2().describeInstances(b -> b.dryRun(true).maxResults(5)));
        action("ec2:DescribeTags", () -> clients.ec2().describeTags(b -> b.dryRun(true).maxResults(5)));
        // Auto Scaling has no DryRun: ask about our own instance, which is cheap and harmless.
        action("autoscaling:DescribeAutoScalingInstances", () -> clients.autoScaling()
                .describeAutoScalingInstances(b -> b.instanceIds(self.instanceId())));
    }

    private void action(String action, Supplier<?> call) {
        String name = "iam " + action;
        try {
            call.get();
            pass(name, "allowed");
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            if ("DryRunOperation".equals(code)) {
                pass(name, "allowed (dry run)");
            } else if (e.statusCode() == 401 || e.statusCode() == 403 || "UnauthorizedOperation".equals(code)) {
                fail(name, "denied (" + code + "): allow " + action + " in the instance role");
            } else {
                fail(name, "could not check (" + code + ", HTTP " + e.statusCode() + ")");
            }
        } catch (SdkException e) {
            fail(name, "could not check: " + AgentException.oneLine(e.getMessage()));
        }
    }

    private Discovery group(AwsClients clients, InstanceIdentity self) {
        try {
            Discovery d = new AwsPeerSource(null, new Ec2Discovery(clients.ec2(), clients::autoScaling, config),
                    self).discover();
            pass("group", d.source().describe() + ": " + d.members() + " member(s), " + d.peers().size()
                    + " peer(s)");
            return d;
        } catch (AgentException e) {
            fail("group", e.getMessage());
            return null;
        }
    }

    private void ports(Discovery discovery) {
        List<Integer> ports = new ArrayList<>(List.of(NET_PORT));
        if (config.scopeEnabled() && !config.scopeCloudMode()) {
            ports.add(SCOPE_PORT);
        }
        if (discovery.peers().isEmpty()) {
            skip("ports", "no peers to check");
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(16, discovery.peers().size() * ports.size()));
        try {
            List<CompletableFuture<Check>> futures = new ArrayList<>();
            for (String address : discovery.addresses()) {
                for (int port : ports) {
                    futures.add(CompletableFuture.supplyAsync(() -> {
                        String name = "port " + port + "/tcp " + address;
                        return probe.reachable(address, port, PORT_TIMEOUT)
                                ? new Check(name, Status.PASS, "reachable")
                                : new Check(name, Status.FAIL, "not reachable within " + PORT_TIMEOUT.toMillis()
                                        + " ms (security group, or " + (port == NET_PORT ? "Net" : "Scope")
                                        + " not running there)");
                    }, pool));
                }
            }
            futures.forEach(f -> checks.add(f.join()));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Dead peers that still own address space, and which member will take it back. */
    private void ipam(Discovery discovery) {
        if (!Files.isExecutable(config.netBin())) {
            return;
        }
        String text = new Tools(config, new SystemProcessRunner()).report();
        RouterReport report;
        try {
            report = text == null ? null : RouterReport.parse(text);
        } catch (IllegalArgumentException e) {
            report = null;
        }
        if (report == null) {
            skip("ipam", "no report from " + config.netBin() + " (is Net running?)");
            return;
        }
        String lowest = discovery.lowestInstanceId().orElse(null);
        List<RouterReport.Holder> dead = report.deadHolders();
        if (dead.isEmpty()) {
            pass("ipam", "no unreachable peer owns address space");
        }
        for (RouterReport.Holder h : dead) {
            String who = !config.reclaimDeparted() ? "RECLAIM_DEPARTED=false: run `nholuongut rmpeer " + h.name()
                    + "` on one member" : lowest == null ? "static PEERS: run `nholuongut rmpeer " + h.name()
                    + "` on one member" : lowest + " (lowest instance id) reclaims it within minutes of a member leaving"
                    + " the group once AWS shows its host gone; or run `nholuongut rmpeer " + h.name()
                    + "` on one member";
            warn("ipam " + h.name(), "unreachable peer" + (h.nickname() == null || h.nickname().isEmpty() ? ""
                    : " " + h.nickname()) + " owns " + h.addresses() + " address(es); " + who);
        }
    }

    private void tool(String name, Path path) {
        if (Files.isRegularFile(path) && Files.isExecutable(path)) {
            pass(name, path + " is executable");
        } else {
            fail(name, path + (Files.exists(path) ? " is not executable" : " does not exist"));
        }
    }

    /** Whether Net's traffic is encrypted: where the password comes from, never the password. */
    private void encryption() {
        if (config.netPassword() != null) {
            pass("encryption", "Net's traffic between instances is encrypted (password from "
                    + config.netPasswordFrom() + ")");
        } else {
            warn("encryption", "not configured: Net's traffic between instances is not encrypted; set"
                    + " NET_PASSWORD_FILE (see the README, \"Encrypting Net's traffic\")");
        }
    }

    private void pass(String name, String detail) {
        checks.add(new Check(name, Status.PASS, detail));
    }

    private void fail(String name, String detail) {
        checks.add(new Check(name, Status.FAIL, detail));
    }

    private void warn(String name, String detail) {
        checks.add(new Check(name, Status.WARN, detail));
    }

    private void skip(String name, String detail) {
        checks.add(new Check(name, Status.SKIP, detail));
    }
}
