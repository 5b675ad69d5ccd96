package com.nholuongut.ecs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.doctor.Doctor;
import com.nholuongut.ecs.doctor.PortProbe;
import com.nholuongut.ecs.testing.Cli.Result;
import com.nholuongut.ecs.testing.Cli;
import com.nholuongut.ecs.testing.FakeTools;
import com.nholuongut.ecs.testing.Fleet;
import com.nholuongut.ecs.testing.ImdsFixture;
import com.nholuongut.ecs.testing.AwsEmulator;
import com.nholuongut.ecs.testing.Emulators;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;

/**
 * {@code doctor} against moto. Discovered peers carry the fleet's private 172.31.x addresses, which are never dialled: their
 * port checks go through a recording probe. Real TCP checks use static peers on 127.0.0.x.
 */
@ExtendWith(Emulators.class)
@Emulators.Needs(AwsEmulator.Feature.AUTO_SCALING) // every run of doctor asks Auto Scaling (its iam check)
class DoctorCommandTest {

    static final String TAG = "nholuongut:peerGroupName";

    @TempDir
    Path dir;
    AwsEmulator moto;
    Fleet fleet;
    FakeTools tools;
    ImdsFixture imds;
    List<String> group;
    final Set<String> probed = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void setUp(AwsEmulator moto) throws IOException {
        this.moto = moto;
        moto.reset();
        fleet = new Fleet(moto);
        tools = new FakeTools(dir.resolve("bin"));
        group = fleet.tagged(TAG, "blue", 3);
        imds = new ImdsFixture(group.get(0), AwsEmulator.REGION, fleet.address(group.get(0)));
    }

    @AfterEach
    void tearDown() {
        imds.close();
        fleet.close();
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>(moto.env());
        env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());
        env.put("NHOLUONGUT_CONFIG_DIR", dir.toString());
        env.put("NHOLUONGUT_NET_BIN", tools.net().toString());
        env.put("NHOLUONGUT_SCOPE_BIN", tools.scope().toString());
        return env;
    }

    /** Answers "open" only for {@code open}; records every probe; never opens a socket. */
    PortProbe probeOpenOn(String open) {
        return (address, port, timeout) -> {
            probed.add(address + ":" + port);
            return address.equals(open);
        };
    }

    @Test
    void doctor_healthyInstance_passesEveryCheck() {
        String peer1 = fleet.address(group.get(1));
        String peer2 = fleet.address(group.get(2));
        PortProbe allOpen = (address, port, timeout) -> probed.add(address + ":" + port);

        Result r = Cli.run(env(), allOpen, "doctor");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.outLines()).anyMatch(l -> l.startsWith("ok   imds: IMDSv2 answered: " + group.get(0)))
                .anyMatch(l -> l.startsWith("ok   credentials: found"))
                .contains("ok   iam ec2:DescribeInstances: allowed (dry run)",
                        "ok   iam ec2:DescribeTags: allowed (dry run)",
                        "ok   iam autoscaling:DescribeAutoScalingInstances: allowed",
                        "ok   group: tag " + TAG + "=blue: 3 member(s), 2 peer(s)",
                        "skip ipam: no report from " + tools.net() + " (is Net running?)")
                .anyMatch(l -> l.startsWith("ok   tool nholuongut:"))
                .anyMatch(l -> l.startsWith("ok   tool scope:"))
                .contains("ok   scope ecs: " + group.get(0) + " allows IMDSv1 (HttpTokens=optional): Scope's probe"
                        + " can read ECS tasks and services");
        assertThat(r.outLines().get(r.outLines().size() - 1)).matches("doctor: all \\d+ checks passed");
        assertThat(probed).containsExactlyInAnyOrder(peer1 + ":6783", peer1 + ":4040", peer2 + ":6783",
                peer2 + ":4040");
    }

    @Test
    void doctor_encryption_saysWhetherAndWhereFromButNeverThePassword() throws IOException {
        String password = "pw-" + System.nanoTime();
        Path file = dir.resolve("net.password");
        Files.writeString(file, password + "\n");
        Map<String, String> env = env();
        env.put("NHOLUONGUT_NET_PASSWORD_FILE", file.toString());
        PortProbe allOpen = (address, port, timeout) -> true;

        Result with = Cli.run(env, allOpen, "doctor");
        Result json = Cli.run(env, allOpen, "doctor", "-o", "json");
        Result without = Cli.run(env(), allOpen, "doctor");

        assertThat(with.outLines()).contains("ok   encryption: Net's traffic between instances is encrypted (password"
                + " from NET_PASSWORD_FILE " + file + ")");
        assertThat(with.out() + with.err() + json.out() + json.err()).doesNotContain(password);
        assertThat(without.outLines()).anyMatch(l -> l.startsWith("warn encryption: not configured"));
        assertThat(without.exitCode()).as("a warning, not a failure").isZero();
    }

    @Test
    void doctor_closedPortAndMissingTool_failWithOneLineEach() {
        String open = fleet.address(group.get(1));
        String closed = fleet.address(group.get(2));
        Map<String, String> env = env();
        env.put("NHOLUONGUT_SCOPE_BIN", dir.resolve("no-such-scope").toString());

        Result r = Cli.run(env, probeOpenOn(open), "doctor");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.outLines()).contains("ok   port 6783/tcp " + open + ": reachable")
                .anyMatch(l -> l.startsWith("FAIL port 6783/tcp " + closed + ": not reachable"))
                .anyMatch(l -> l.startsWith("FAIL port 4040/tcp " + closed))
                .anyMatch(l -> l.startsWith("FAIL tool scope: ") && l.endsWith("does not exist"));
        assertThat(r.outLines().get(r.outLines().size() - 1)).isEqualTo("doctor: 3 of 17 checks failed");
    }

    @Test
    void doctor_deadPeerHoldingAddressSpace_isListedWithItsReclaimer() throws IOException {
        // The real script answers `report` only while Net runs.
        tools.netAlreadyRunning();
        tools.stdout("nholuongut", "report", new String(DoctorCommandTest.class
                .getResourceAsStream("/report/three-peers.json").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        String lowest = group.stream().min(String::compareTo).orElseThrow();

        Result r = Cli.run(env(), (address, port, timeout) -> true, "doctor");

        assertThat(r.exitCode()).as("a warning, not a failure").isZero();
        assertThat(r.outLines()).contains("warn ipam aa:aa:aa:aa:aa:03: unreachable peer ip-10-0-1-3 owns 393216"
                + " address(es); " + lowest + " (lowest instance id) reclaims it within minutes of a member leaving"
                + " the group once AWS shows its host gone; or run `nholuongut rmpeer aa:aa:aa:aa:aa:03` on one"
                + " member");
    }

    @Test
    void doctor_tokensRequired_warnsThatScopesEcsViewStaysEmpty_askingEc2NeverImdsv1() {
        String self = group.get(0);
        fleet.ec2().modifyInstanceMetadataOptions(b -> b.instanceId(self).httpTokens(HttpTokensState.REQUIRED));
        String warning = "warn scope ecs: " + self + " requires IMDSv2 tokens: Scope's ECS view (tasks, services)"
                + " stays empty, as its probe's AWS SDK predates IMDSv2; allow IMDSv1 (HttpTokens=optional) where that"
                + " view is needed";

        Result r = Cli.run(env(), (address, port, timeout) -> true, "doctor");
        Result flags = Cli.run(env(), (address, port, timeout) -> true, "doctor", "--instance-id", self,
                "--region", AwsEmulator.REGION);
        Map<String, String> noScope = env();
        noScope.put("NHOLUONGUT_SCOPE_ENABLED", "false");
        Result off = Cli.run(noScope, (address, port, timeout) -> true, "doctor");

        assertThat(r.exitCode()).as("a warning, not a failure: " + r.out()).isZero();
        assertThat(r.outLines()).anyMatch(l -> l.startsWith("ok   imds: IMDSv2 answered")).contains(warning);
        assertThat(flags.outLines()).as("off the instance too: EC2 knows").contains(warning);
        assertThat(off.outLines()).noneMatch(l -> l.contains("scope ecs"));
        assertThat(imds.tokenlessReads()).as("IMDSv1 is never used without IMDS_V1_FALLBACK").isZero();
    }

    @Test
    void doctor_imdsV1Fallback_warnsThatOnlyImdsV1Answered_neverThatImdsV2Did() {
        imds.mode(ImdsFixture.Mode.V1_ONLY);
        Map<String, String> env = env();
        env.put("NHOLUONGUT_IMDS_V1_FALLBACK", "true");

        Result r = Cli.run(env, (address, port, timeout) -> true, "doctor");
        Result region = Cli.run(env, (address, port, timeout) -> true, "doctor", "--region", AwsEmulator.REGION);

        for (Result each : List.of(r, region)) {
            assertThat(each.exitCode()).as("allowed, so a warning: " + each.out()).isZero();
            assertThat(each.outLines()).noneMatch(l -> l.contains("IMDSv2 answered"))
                    .anyMatch(l -> l.startsWith("warn imds: IMDSv1 answered (IMDS_V1_FALLBACK=true), IMDSv2 did not: "
                            + group.get(0) + " in " + AwsEmulator.REGION) && l.contains("failed"))
                    .anyMatch(l -> l.startsWith("ok   group: tag " + TAG + "=blue: 3 member(s)"));
        }
        assertThat(imds.tokenlessReads()).isPositive();
    }

    @Test
    void doctor_cloudModeOrScopeDisabled_checksOnlyTheNetPort() {
        Map<String, String> env = env();
        env.put("NHOLUONGUT_SERVICE_TOKEN", "abc");
        Cli.run(env, probeOpenOn("none"), "doctor");
        assertThat(probed).allMatch(p -> p.endsWith(":6783")).hasSize(2);
    }

    @Test
    void doctor_noMetadataService_failsImdsAndSkipsWhatNeedsIt() {
        Map<String, String> env = env();
        env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9");

        Result r = Cli.run(env, probeOpenOn("none"), "doctor", "-o", "json");

        assertThat(r.exitCode()).isEqualTo(1);
        JsonNode json = JsonNode.parser().parse(r.out());
        assertThat(json.field("passed").get().asBoolean()).isFalse();
        List<JsonNode> checks = json.field("checks").get().asArray();
        assertThat(checks.get(0).field("name").get().asString()).isEqualTo("imds");
        assertThat(checks.get(0).field("status").get().asString()).isEqualTo("fail");
        assertThat(checks).filteredOn(c -> c.field("name").get().asString().equals("group"))
                .singleElement().satisfies(c -> assertThat(c.field("status").get().asString()).isEqualTo("skip"));
    }

    @Test
    void doctor_noGroup_failsTheGroupCheck() {
        String loner = fleet.launchOne(Map.of());
        imds.identity(loner, AwsEmulator.REGION, fleet.address(loner));

        Result r = Cli.run(env(), probeOpenOn("none"), "doctor");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.outLines()).anyMatch(l -> l.startsWith("FAIL group: no peer group"));
        assertThat(probed).isEmpty();
    }

    @Test
    void doctor_staticLoopbackPeers_checksRealTcpPorts() throws IOException {
        InetAddress open = InetAddress.getByName("127.0.0.2");
        try (ServerSocket net = new ServerSocket();
             ServerSocket scope = new ServerSocket()) {
            net.bind(new InetSocketAddress(open, Doctor.NET_PORT));
            scope.bind(new InetSocketAddress(open, Doctor.SCOPE_PORT));
            Map<String, String> env = env();
            env.put("NHOLUONGUT_PEERS", "127.0.0.2 127.0.0.3");

            Result r = Cli.run(env, "doctor");

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.outLines()).contains("ok   port 6783/tcp 127.0.0.2: reachable",
                            "ok   port 4040/tcp 127.0.0.2: reachable")
                    .anyMatch(l -> l.startsWith("FAIL port 6783/tcp 127.0.0.3"))
                    .anyMatch(l -> l.startsWith("skip iam: static PEERS"));

            env.put("NHOLUONGUT_PEERS", "127.0.0.2");
            Result good = Cli.run(env, "doctor");
            assertThat(good.exitCode()).as(good.out()).isZero();
        }
    }
}
