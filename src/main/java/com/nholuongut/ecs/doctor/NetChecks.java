package com.nholuongut.ecs.doctor;

import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.ScopeApps;
import com.nholuongut.ecs.doctor.Check.Status;
import com.nholuongut.ecs.launch.RouterReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The peers' ports, the router's address space, encryption and the tools. */
final class NetChecks {

    static final Duration PORT_TIMEOUT = Duration.ofSeconds(1);

    private NetChecks() {
    }

    /**
     * TCP 6783 on every peer, and for Scope standalone TCP 4040 on the app members only (the others run no
     * app), in parallel, 1 s each; a line first says which members run the Scope app.
     */
    static void ports(Report report, AgentConfig config, Discovery discovery, PortProbe probe) {
        List<String> apps = List.of();
        if (config.scopeStandalone()) {
            ScopeApps scope = config.scopeApps(discovery);
            apps = scope.targets(discovery.self().address());
            report.pass("scope apps", (scope.addresses().isEmpty() ? "none" : String.join(", ", scope.addresses()))
                    + (scope.self() ? " (this instance runs one)" : " (this instance runs a probe only)"));
        }
        if (discovery.peers().isEmpty()) {
            report.skip("ports", "no peers to check");
            return;
        }
        List<Target> targets = new ArrayList<>();
        for (String address : discovery.addresses()) {
            targets.add(new Target(address, Doctor.NET_PORT));
            if (apps.contains(address)) {
                targets.add(new Target(address, Doctor.SCOPE_PORT));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(16, targets.size()));
        try {
            List<CompletableFuture<Check>> futures = new ArrayList<>();
            for (Target t : targets) {
                futures.add(CompletableFuture.supplyAsync(() -> port(probe, t.address(), t.port()), pool));
            }
            futures.forEach(f -> report.add(f.join()));
        } finally {
            pool.shutdownNow();
        }
    }

    /** One port to check on one peer. */
    private record Target(String address, int port) {
    }

    private static Check port(PortProbe probe, String address, int port) {
        String name = "port " + port + "/tcp " + address;
        return probe.reachable(address, port, PORT_TIMEOUT) ? new Check(name, Status.PASS, "reachable")
                : new Check(name, Status.FAIL, "not reachable within " + PORT_TIMEOUT.toMillis() + " ms (security"
                        + " group, or " + (port == Doctor.NET_PORT ? "Net" : "Scope") + " not running there)");
    }

    /** Dead peers that still own address space, and which member will take it back. */
    static void ipam(Report report, AgentConfig config, Discovery discovery, DoctorSeams seams) {
        if (!Files.isExecutable(config.get(ConfigKey.NET_BIN))) {
            return;
        }
        String text = seams.tools().report();
        RouterReport router;
        try {
            router = text == null ? null : RouterReport.parse(text);
        } catch (IllegalArgumentException e) {
            router = null;
        }
        if (router == null) {
            report.skip("ipam", "no report from " + config.get(ConfigKey.NET_BIN) + " (is Net running?)");
            return;
        }
        List<RouterReport.Holder> dead = router.deadHolders();
        if (dead.isEmpty()) {
            report.pass("ipam", "no unreachable peer owns address space");
        }
        for (RouterReport.Holder h : dead) {
            String byHand = "run `nholuongut rmpeer " + h.name() + "` on one member";
            String who;
            if (!config.get(ConfigKey.RECLAIM_DEPARTED)) {
                who = "RECLAIM_DEPARTED=false: " + byHand;
            } else if (discovery.lowestInstanceId().isEmpty()) {
                who = "static PEERS: " + byHand;
            } else {
                who = discovery.lowestInstanceId().get() + " (lowest instance id) reclaims it within minutes of a"
                        + " member leaving the group once AWS shows its host gone; or " + byHand;
            }
            report.warn("ipam " + h.name(), "unreachable peer" + (h.nickname() == null || h.nickname().isEmpty()
                    ? "" : " " + h.nickname()) + " owns " + h.addresses() + " address(es); " + who);
        }
    }

    /** Whether Net's traffic is encrypted: where the password comes from, never the password. */
    static void encryption(Report report, AgentConfig config) {
        if (config.netPassword() != null) {
            report.pass("encryption", "Net's traffic between instances is encrypted (password from "
                    + config.netPasswordFrom() + ")");
        } else {
            report.warn("encryption", "not configured: Net's traffic between instances is not encrypted; set"
                    + " NET_PASSWORD_FILE (see the README, \"Encrypting Net's traffic\")");
        }
    }

    static void tool(Report report, String name, Path path) {
        if (Files.isRegularFile(path) && Files.isExecutable(path)) {
            report.pass(name, path + " is executable");
        } else {
            report.fail(name, path + (Files.exists(path) ? " is not executable" : " does not exist"));
        }
    }
}
