package com.nholuongut.ecs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.aws.AwsClients;
import com.nholuongut.ecs.aws.AwsTimeouts;
import com.nholuongut.ecs.aws.HttpClients;
import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.discovery.AwsPeerSource;
import com.nholuongut.ecs.discovery.DiscoveryMode;
import com.nholuongut.ecs.discovery.Ec2Discovery;
import com.nholuongut.ecs.doctor.PortProbe;
import com.nholuongut.ecs.testing.Cli.Result;
import com.nholuongut.ecs.testing.Cli;
import com.nholuongut.ecs.testing.Fleet;
import com.nholuongut.ecs.testing.AwsEmulator;
import com.nholuongut.ecs.testing.Emulators;
import com.nholuongut.ecs.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;

/**
 * The shipped IAM policy, enforced by moto's IAM: discovery works with exactly it, and a role missing one
 * discovery action fails with exit 4 naming that action.
 */
@ExtendWith(Emulators.class)
@Emulators.IamEnforced(initialNoAuthActions = 3)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IamPolicyTest {

    static final Path POLICY = Path.of("iam/nholuongut-ecs-policy.json");
    static final String TAG = "nholuongut:peerGroupName";

    @RegisterExtension
    final LogCapture warmPoolLog = LogCapture.of("com.nholuongut.ecs.discovery.WarmPool");
    AccessKey admin;
    AwsEmulator moto;
    Fleet fleet;
    List<String> tagged;
    List<String> asg;
    @TempDir
    Path configDir;

    @BeforeAll
    void bootstrap(AwsEmulator moto) {
        this.moto = moto;
        // The first three requests are unauthenticated: they make an administrator for the rest of the set-up.
        try (IamClient root = moto.iam(AwsEmulator.ACCESS_KEY, AwsEmulator.SECRET_KEY)) {
            root.createUser(b -> b.userName("admin"));
            root.putUserPolicy(b -> b.userName("admin").policyName("all").policyDocument(
                    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\","
                            + "\"Resource\":\"*\"}]}"));
            admin = root.createAccessKey(b -> b.userName("admin")).accessKey();
        }
        fleet = new Fleet(moto, admin.accessKeyId(), admin.secretAccessKey());
        tagged = fleet.tagged(TAG, "blue", 3);
        asg = fleet.autoScalingGroup("web", 3);
    }

    @AfterAll
    void close() {
        fleet.close();
    }

    static List<String> policyActions() throws IOException {
        JsonNode policy = JsonNode.parser().parse(Files.readString(POLICY));
        List<String> actions = new ArrayList<>();
        for (JsonNode statement : policy.field("Statement").get().asArray()) {
            assertThat(statement.field("Effect").get().asString()).isEqualTo("Allow");
            statement.field("Action").get().asArray().forEach(a -> actions.add(a.asString()));
        }
        return actions;
    }

    /** Creates a user with {@code actions} allowed and returns the agent environment for its key. */
    Map<String, String> agentWith(String user, String policyJson) {
        try (IamClient iam = moto.iam(admin.accessKeyId(), admin.secretAccessKey())) {
            iam.createUser(b -> b.userName(user));
            iam.putUserPolicy(b -> b.userName(user).policyName("agent").policyDocument(policyJson));
            AccessKey key = iam.createAccessKey(b -> b.userName(user)).accessKey();
            Map<String, String> env = new HashMap<>(moto.env(key.accessKeyId(), key.secretAccessKey()));
            env.put("NHOLUONGUT_CONFIG_DIR", configDir.toString());
            return env;
        }
    }

    static String policyWithout(String action) throws IOException {
        String text = Files.readString(POLICY);
        assertThat(text).contains("\"" + action + "\"");
        return text.replaceAll("\\s*\"" + action + "\",?", "").replaceAll(",(\\s*)]", "$1]");
    }

    static Result discover(Map<String, String> env, String instanceId) {
        return Cli.run(env, "discover", "--instance-id", instanceId, "--region", AwsEmulator.REGION);
    }

    @Test
    void policyFile_allowsTheSeedsSixActionsAndDescribeWarmPool() throws IOException {
        assertThat(policyActions()).containsExactlyInAnyOrder(
                "ec2:DescribeInstances", "ec2:DescribeTags", "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeWarmPool", "ecs:ListServices", "ecs:DescribeTasks", "ecs:DescribeServices");
    }

    @Test
    void discover_withTheShippedPolicy_succeedsInTagAndAsgMode() throws IOException {
        Map<String, String> env = agentWith("shipped", Files.readString(POLICY));

        Result tag = discover(env, tagged.get(0));
        Result group = discover(env, asg.get(0));

        assertThat(tag.exitCode()).as(tag.err()).isZero();
        assertThat(tag.outLines()).hasSize(2);
        assertThat(group.exitCode()).as(group.err()).isZero();
        assertThat(group.outLines()).hasSize(2);
    }

    @Test
    void discover_withoutDescribeInstances_exits4NamingIt() throws IOException {
        Map<String, String> env = agentWith("no-instances", policyWithout("ec2:DescribeInstances"));

        Result r = discover(env, tagged.get(0));

        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.err()).hasLineCount(1).contains("ec2:DescribeInstances");
    }

    @Test
    void discover_withoutDescribeAutoScalingInstances_exits4NamingIt() throws IOException {
        Map<String, String> env = agentWith("no-asg", policyWithout("autoscaling:DescribeAutoScalingInstances"));

        Result group = discover(env, asg.get(0));
        Result tag = discover(env, tagged.get(0));

        assertThat(group.exitCode()).isEqualTo(4);
        assertThat(group.err()).hasLineCount(1).contains("autoscaling:DescribeAutoScalingInstances");
        assertThat(tag.exitCode()).as("tag mode does not need it").isZero();
    }

    @Test
    void discover_onInstanceWithoutDescribeTags_exits4NamingIt() throws IOException {
        Map<String, String> env = agentWith("no-tags", policyWithout("ec2:DescribeTags"));
        String self = tagged.get(0);
        try (var imds = new com.nholuongut.ecs.testing.ImdsFixture(self, AwsEmulator.REGION, fleet.address(self))) {
            env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());

            Result r = Cli.run(env, "discover");

            assertThat(r.exitCode()).isEqualTo(4);
            assertThat(r.err()).hasLineCount(1).contains("ec2:DescribeTags");
        }
    }

    @Test
    void doctor_policyMissingOneAction_failsThatLineOnly() throws IOException {
        Map<String, String> env = agentWith("doctor-no-tags", policyWithout("ec2:DescribeTags"));
        String self = asg.get(0);
        PortProbe neverDialled = (address, port, timeout) -> true;
        try (var imds = new com.nholuongut.ecs.testing.ImdsFixture(self, AwsEmulator.REGION, fleet.address(self))) {
            env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());

            Result r = Cli.run(env, neverDialled, "doctor");

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.outLines()).contains("ok   iam ec2:DescribeInstances: allowed (dry run)",
                            "ok   iam autoscaling:DescribeAutoScalingInstances: allowed")
                    .anyMatch(l -> l.startsWith("FAIL iam ec2:DescribeTags: denied")
                            && l.contains("allow ec2:DescribeTags in the instance role"));
        }
    }

    @Test
    void doctor_withTheShippedPolicy_allowsEveryDiscoveryAction() throws IOException {
        Map<String, String> env = agentWith("doctor-shipped", Files.readString(POLICY));
        String self = tagged.get(0);
        try (var imds = new com.nholuongut.ecs.testing.ImdsFixture(self, AwsEmulator.REGION, fleet.address(self))) {
            env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());

            Result r = Cli.run(env, (address, port, timeout) -> true, "doctor");

            assertThat(r.outLines()).filteredOn(l -> l.contains(" iam ")).hasSize(4).allMatch(l -> l.startsWith("ok"))
                    .contains("ok   iam autoscaling:DescribeWarmPool: not needed: " + self + " is in no Auto Scaling"
                            + " group");
            assertThat(r.outLines()).as("the metadata options are read with the same action")
                    .anyMatch(l -> l.startsWith("ok   scope ecs: " + self + " allows IMDSv1"));
        }
    }

    @Test
    void doctor_inAnAutoScalingGroupWithoutDescribeWarmPool_warnsOnly() throws IOException {
        Map<String, String> env = agentWith("doctor-no-warm", policyWithout("autoscaling:DescribeWarmPool"));
        String self = asg.get(0);
        try (var imds = new com.nholuongut.ecs.testing.ImdsFixture(self, AwsEmulator.REGION, fleet.address(self))) {
            env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());

            Result r = Cli.run(env, (address, port, timeout) -> true, "doctor");

            assertThat(r.outLines()).anyMatch(l -> l.startsWith("warn iam autoscaling:DescribeWarmPool: denied")
                    && l.contains("allow autoscaling:DescribeWarmPool in the instance role"));
            assertThat(r.outLines()).noneMatch(l -> l.startsWith("FAIL iam"));
        }
    }

    @Test
    void doctor_withoutDescribeAutoScalingInstances_failsItAndCannotCheckTheWarmPool() throws IOException {
        Map<String, String> env = agentWith("doctor-no-asg", policyWithout("autoscaling:DescribeAutoScalingInstances"));
        String self = asg.get(0);
        try (var imds = new com.nholuongut.ecs.testing.ImdsFixture(self, AwsEmulator.REGION, fleet.address(self))) {
            env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());

            Result r = Cli.run(env, (address, port, timeout) -> true, "doctor");

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.outLines()).anyMatch(l -> l.startsWith("FAIL iam autoscaling:DescribeAutoScalingInstances: denied"))
                    .contains("warn iam autoscaling:DescribeWarmPool: could not check:"
                            + " autoscaling:DescribeAutoScalingInstances, which names the group, failed (above)");
        }
    }

    @Test
    void doctor_inAnAutoScalingGroupWithTheShippedPolicy_allowsDescribeWarmPool() throws IOException {
        Map<String, String> env = agentWith("doctor-warm", Files.readString(POLICY));
        String self = asg.get(0);
        try (var imds = new com.nholuongut.ecs.testing.ImdsFixture(self, AwsEmulator.REGION, fleet.address(self))) {
            env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());

            Result r = Cli.run(env, (address, port, timeout) -> true, "doctor");

            assertThat(r.outLines()).contains("ok   iam autoscaling:DescribeWarmPool: allowed");
        }
    }

    /** The warm pool of the Auto Scaling group {@code asg.get(0)} is in, as a fresh launch asks for it. */
    Set<String> warmPoolFor(Map<String, String> env) {
        String self = asg.get(0);
        return Cli.withSdkSettings(env, () -> {
            try (SdkHttpClient http = new HttpClients().client(Duration.ofSeconds(30));
                 AwsPeerSource source = new AwsPeerSource(AwsClients.create(AwsEmulator.REGION, http,
                         AwsTimeouts.within(Duration.ofSeconds(30))), new Ec2Discovery.Settings(TAG, null,
                         DiscoveryMode.AUTO), new InstanceIdentity(self, AwsEmulator.REGION, fleet.address(self)))) {
                return source.warmPoolMembers(source.discover());
            }
        });
    }

    @Test
    void warmPool_deniedDescribeWarmPool_isOneWarnAndEveryMemberCounted() throws IOException {
        Set<String> warm = warmPoolFor(agentWith("no-warm-pool", policyWithout("autoscaling:DescribeWarmPool")));

        assertThat(warm).as("no member left out").isEmpty();
        assertThat(warmPoolLog.lines()).singleElement().asString().contains("AWS denied autoscaling:DescribeWarmPool")
                .contains("Net's consensus counts every member, which may be too large");
    }

    @Test
    void warmPool_withTheShippedPolicy_isAskedWithoutAWarning() throws IOException {
        Set<String> warm = warmPoolFor(agentWith("warm-pool", Files.readString(POLICY)));

        assertThat(warm).isEmpty();
        assertThat(warmPoolLog.lines()).isEmpty();
    }

    @Test
    void discover_withUnknownCredentials_exits4() {
        Map<String, String> env = new HashMap<>(moto.env("AKIAUNKNOWN000000000", "nope"));
        env.put("NHOLUONGUT_CONFIG_DIR", configDir.toString());

        Result r = discover(env, tagged.get(0));

        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.err()).hasLineCount(1).contains("ec2:DescribeInstances");
    }

}
