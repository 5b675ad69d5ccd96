package com.nholuongut.ecs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.discovery.Addresses;
import com.nholuongut.ecs.testing.Cli.Result;
import com.nholuongut.ecs.testing.Cli;
import com.nholuongut.ecs.testing.Fleet;
import com.nholuongut.ecs.testing.ImdsFixture;
import com.nholuongut.ecs.testing.AwsEmulator;
import com.nholuongut.ecs.testing.Emulators;
import com.nholuongut.ecs.testing.RecordingProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/** {@code discover} as a user runs it, through picocli, against a real fleet in moto. */
@ExtendWith(Emulators.class)
class DiscoverCommandTest {

    static final String TAG = "nholuongut:peerGroupName";

    AwsEmulator moto;
    Fleet fleet;
    @TempDir
    Path configDir;

    @BeforeEach
    void setUp(AwsEmulator moto) {
        this.moto = moto;
        moto.reset();
        fleet = new Fleet(moto);
    }

    @AfterEach
    void tearDown() {
        fleet.close();
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>(moto.env());
        env.put("NHOLUONGUT_CONFIG_DIR", configDir.toString());
        return env;
    }

    Result discoverAs(String instanceId, String... more) {
        return discoverAs(env(), instanceId, more);
    }

    static Result discoverAs(Map<String, String> env, String instanceId, String... more) {
        List<String> args = new ArrayList<>(List.of("discover", "--instance-id", instanceId, "--region", AwsEmulator.REGION));
        args.addAll(List.of(more));
        return Cli.run(env, args.toArray(String[]::new));
    }

    List<String> sortedAddresses(List<String> ids) {
        return fleet.addresses(ids).stream().sorted(Addresses.NUMERIC).toList();
    }

    @Test
    void discover_taggedInstance_returnsSameTagPeersNumericallySorted() {
        List<String> blue = fleet.tagged(TAG, "blue", 5);
        fleet.tagged(TAG, "green", 3);
        fleet.launch(2, Map.of());

        Result r = discoverAs(blue.get(0));

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.outLines()).containsExactlyElementsOf(sortedAddresses(blue.subList(1, 5)));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void discover_onInstance_readsIdentityFromImdsV2WithToken() throws IOException {
        List<String> blue = fleet.tagged(TAG, "blue", 3);
        try (ImdsFixture imds = new ImdsFixture(blue.get(1), AwsEmulator.REGION, fleet.address(blue.get(1)))) {
            Map<String, String> env = env();
            env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());

            Result r = Cli.run(env, "discover");

            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.outLines()).containsExactlyElementsOf(sortedAddresses(List.of(blue.get(0), blue.get(2))));
            assertThat(imds.tokenRequests()).isPositive();
            assertThat(imds.tokenlessReads()).isZero();
        }
    }

    @Test
    void discover_imdsV1Only_failsWithExit5UnlessFallbackAllowed() throws IOException {
        List<String> blue = fleet.tagged(TAG, "blue", 2);
        try (ImdsFixture imds = new ImdsFixture(blue.get(0), AwsEmulator.REGION, fleet.address(blue.get(0)))) {
            imds.mode(ImdsFixture.Mode.V1_ONLY);
            Map<String, String> env = env();
            env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());

            Result refused = Cli.run(env, "discover");
            assertThat(refused.exitCode()).isEqualTo(5);
            assertThat(refused.err()).contains("IMDSv2").hasLineCount(1);
            assertThat(imds.tokenlessReads()).as("IMDSv1 is never used without IMDS_V1_FALLBACK").isZero();

            env.put("NHOLUONGUT_IMDS_V1_FALLBACK", "true");
            Result allowed = Cli.run(env, "discover");
            assertThat(allowed.exitCode()).as(allowed.err()).isZero();
            assertThat(allowed.outLines()).containsExactly(fleet.address(blue.get(1)));
            assertThat(imds.tokenlessReads()).isPositive();
        }
    }

    @Test
    void discover_autoScalingGroupInstance_returnsItsGroupOnly() {
        List<String> web = fleet.autoScalingGroup("web", 4);
        fleet.autoScalingGroup("batch", 2);
        fleet.tagged(TAG, "blue", 2);

        Result r = discoverAs(web.get(2), "-o", "json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = JsonNode.parser().parse(r.out());
        assertThat(json.field("source").get().field("kind").get().asString()).isEqualTo("asg");
        assertThat(json.field("source").get().field("name").get().asString()).isEqualTo("web");
        List<String> expected = new ArrayList<>(web);
        expected.remove(2);
        assertThat(addresses(json)).containsExactlyElementsOf(sortedAddresses(expected));
    }

    @Test
    void discover_tagWinsOverAutoScalingGroup() {
        List<String> web = fleet.autoScalingGroup("web", 3);
        fleet.ec2().createTags(b -> b.resources(web.get(0)).tags(t -> t.key(TAG).value("solo")));
        List<String> solo = fleet.tagged(TAG, "solo", 2);

        Result r = discoverAs(web.get(0));

        assertThat(r.outLines()).containsExactlyElementsOf(sortedAddresses(solo));
    }

    @Test
    void discover_discoveryAsg_ignoresTheTag() {
        List<String> web = fleet.autoScalingGroup("web", 3);
        fleet.ec2().createTags(b -> b.resources(web.get(0)).tags(t -> t.key(TAG).value("solo")));
        fleet.tagged(TAG, "solo", 2);

        Result r = discoverAs(web.get(0), "--discovery", "asg");

        assertThat(r.outLines()).containsExactlyElementsOf(sortedAddresses(web.subList(1, 3)));
    }

    @Test
    void discover_stoppedAndTerminatedMembers_areNotPeers() {
        List<String> blue = fleet.tagged(TAG, "blue", 5);
        fleet.stop(blue.get(1));
        fleet.terminate(blue.get(2));

        Result r = discoverAs(blue.get(0));

        assertThat(r.outLines()).containsExactlyElementsOf(sortedAddresses(blue.subList(3, 5)));
    }

    @Test
    void discover_aloneInItsGroup_exits0WithNoOutput() {
        List<String> blue = fleet.tagged(TAG, "blue", 1);

        Result r = discoverAs(blue.get(0));

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEmpty();
    }

    @Test
    void discover_hostileTagValues_areMatchedLiterallyAndNeverRun() throws IOException {
        Path marker = configDir.resolve("pwned");
        String hostile = "$(touch " + marker + "); `touch " + marker + "` \"quoted\" 'x' \\back\n";
        List<String> evil = fleet.tagged(TAG, hostile, 3);
        List<String> star = fleet.tagged(TAG, "*", 2);
        fleet.tagged(TAG, "a?b", 1);
        fleet.tagged(TAG, "axb", 1);
        List<String> question = fleet.tagged(TAG, "a?b", 1);

        Result r = discoverAs(evil.get(0), "-o", "json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = JsonNode.parser().parse(r.out());
        assertThat(json.field("source").get().field("value").get().asString()).isEqualTo(hostile);
        assertThat(addresses(json)).containsExactlyElementsOf(sortedAddresses(evil.subList(1, 3)));
        assertThat(marker).doesNotExist();

        assertThat(discoverAs(star.get(0)).outLines()).as("'*' is a value, not a wildcard")
                .containsExactly(fleet.address(star.get(1)));
        assertThat(discoverAs(question.get(0)).outLines()).as("'?' is a value, not a wildcard")
                .hasSize(1).doesNotContain(fleet.address(question.get(0)));
    }

    @Test
    void discover_peerGroupNameAndTagKey_comeFromConfiguration() throws IOException {
        List<String> alpha = fleet.tagged("cluster", "alpha", 3);
        List<String> other = fleet.tagged("cluster", "beta", 2);
        Files.writeString(configDir.resolve("nholuongut.config"), "PEER_GROUP_TAG=cluster\n");
        Map<String, String> env = env();
        env.put("NHOLUONGUT_PEER_GROUP_NAME", "beta");

        Result r = discoverAs(env, alpha.get(0), "-o", "json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode source = JsonNode.parser().parse(r.out()).field("source").get();
        assertThat(source.field("tag").get().asString()).isEqualTo("cluster");
        assertThat(source.field("value").get().asString()).isEqualTo("beta");
        assertThat(r.out()).contains(fleet.address(other.get(0)), fleet.address(other.get(1)));
    }

    @Test
    @Emulators.Needs(AwsEmulator.Feature.AUTO_SCALING)
    void discover_untaggedInstanceOutsideAnyGroup_exits3WithOneLine() {
        String loner = fleet.launchOne(Map.of());

        Result r = discoverAs(loner);

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).hasLineCount(1).contains(TAG).contains("Auto Scaling Group");
    }

    @Test
    @Emulators.Needs(AwsEmulator.Feature.AUTO_SCALING)
    void discover_discoveryAsgForATaggedInstanceOutsideAnyGroup_exits3SayingWhy() {
        String tagged = fleet.tagged(TAG, "blue", 2).get(0);

        Result r = discoverAs(tagged, "--discovery", "asg");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).hasLineCount(1).contains("not in an Auto Scaling Group (DISCOVERY=asg)")
                .doesNotContain("has no tag");
    }

    @Test
    void discover_discoveryTagWithoutTag_exits3() {
        List<String> web = fleet.autoScalingGroup("web", 2);

        Result r = discoverAs(web.get(0), "--discovery", "tag");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).hasLineCount(1).contains("DISCOVERY=tag");
    }

    @Test
    void discover_json_hasTheSpecSchema() throws IOException {
        List<String> blue = fleet.tagged(TAG, "blue", 2);
        try (ImdsFixture imds = new ImdsFixture(blue.get(0), AwsEmulator.REGION, fleet.address(blue.get(0)))) {
            Map<String, String> env = env();
            env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());

            Result r = Cli.run(env, "discover", "--output", "json");

            JsonNode json = JsonNode.parser().parse(r.out());
            JsonNode self = json.field("self").get();
            assertThat(self.field("instanceId").get().asString()).isEqualTo(blue.get(0));
            assertThat(self.field("address").get().asString()).isEqualTo(fleet.address(blue.get(0)));
            assertThat(self.field("region").get().asString()).isEqualTo(AwsEmulator.REGION);
            JsonNode source = json.field("source").get();
            assertThat(source.field("kind").get().asString()).isEqualTo("tag");
            assertThat(source.field("tag").get().asString()).isEqualTo(TAG);
            assertThat(source.field("value").get().asString()).isEqualTo("blue");
            JsonNode peer = json.field("peers").get().asArray().get(0);
            assertThat(peer.field("instanceId").get().asString()).isEqualTo(blue.get(1));
            assertThat(peer.field("address").get().asString()).isEqualTo(fleet.address(blue.get(1)));
            assertThat(peer.field("state").get().asString()).isEqualTo("running");
        }
    }

    @Test
    void discover_tagMode_makesAtMostTwoAwsCalls_asgModeAtMostThree() throws IOException {
        List<String> blue = fleet.tagged(TAG, "blue", 4);
        List<String> web = fleet.autoScalingGroup("web", 4);
        try (RecordingProxy proxy = new RecordingProxy(moto.endpoint());
             ImdsFixture imds = new ImdsFixture(blue.get(0), AwsEmulator.REGION, fleet.address(blue.get(0)))) {
            Map<String, String> env = env();
            env.put("AWS_ENDPOINT_URL", proxy.endpoint().toString());
            env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());

            assertThat(Cli.run(env, "discover").exitCode()).isZero();
            assertThat(proxy.actions()).containsExactly("DescribeTags", "DescribeInstances");

            proxy.clear();
            imds.identity(web.get(0), AwsEmulator.REGION, fleet.address(web.get(0)));
            assertThat(Cli.run(env, "discover").outLines()).hasSize(3);
            assertThat(proxy.actions())
                    .containsExactly("DescribeTags", "DescribeAutoScalingInstances", "DescribeInstances");

            proxy.clear();
            env.put("NHOLUONGUT_PEER_GROUP_NAME", "blue");
            assertThat(Cli.run(env, "discover").outLines()).hasSize(4);
            assertThat(proxy.actions()).containsExactly("DescribeInstances");
        }
    }

    @Test
    void discover_staticPeers_makeNoAwsCallAndPrintSorted() throws IOException {
        try (RecordingProxy proxy = new RecordingProxy(moto.endpoint())) {
            Map<String, String> env = env();
            env.put("AWS_ENDPOINT_URL", proxy.endpoint().toString());
            env.put("NHOLUONGUT_PEERS", "10.0.0.10, 10.0.0.9 10.0.0.10,fd00::1");

            Result text = Cli.run(env, "discover");
            Result json = Cli.run(env, "discover", "-o", "json");

            assertThat(text.exitCode()).as(text.err()).isZero();
            assertThat(text.outLines()).containsExactly("10.0.0.9", "10.0.0.10", "fd00::1");
            JsonNode parsed = JsonNode.parser().parse(json.out());
            assertThat(parsed.field("source").get().field("kind").get().asString()).isEqualTo("static");
            assertThat(parsed.field("peers").get().asArray().get(0).field("instanceId").get().isNull()).isTrue();
            assertThat(proxy.actions()).isEmpty();
        }
    }

    @Test
    void discover_staticPeerThatIsNotAnAddress_exits78NamingFileLineAndKey() throws IOException {
        Files.writeString(configDir.resolve("nholuongut.config"), "# peers\n\nPEERS=10.0.0.1 $(reboot)\n");

        Result r = Cli.run(env(), "discover");

        assertThat(r.exitCode()).isEqualTo(78);
        assertThat(r.err()).hasLineCount(1)
                .contains(configDir.resolve("nholuongut.config") + " line 3").contains("PEERS").contains("$(reboot)");
    }

    @Test
    void discover_hostNameInPeers_isRejectedWithoutDnsLookup() {
        Map<String, String> env = env();
        env.put("NHOLUONGUT_PEERS", "peer.example.internal");

        Result r = Cli.run(env, "discover");

        assertThat(r.exitCode()).isEqualTo(78);
        assertThat(r.err()).contains("environment NHOLUONGUT_PEERS").contains("PEERS");
    }

    @Test
    void discover_awsUnreachable_exits5WithinThirtySeconds() {
        Map<String, String> env = env();
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
        long start = System.nanoTime();

        Result r = Cli.run(env, "discover", "--instance-id", "i-0123456789abcdef0", "--region", AwsEmulator.REGION);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(r.err()).hasLineCount(1).contains("ec2:DescribeInstances");
    }

    @Test
    void discover_imdsUnreachable_exits5() {
        Result r = Cli.run(env(), "discover");

        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(r.err()).hasLineCount(1).contains("instance metadata");
    }

    @Test
    void discover_instanceIdWithoutRegion_exits2() {
        Map<String, String> env = env();
        env.remove("AWS_REGION");

        Result r = Cli.run(env, "discover", "--instance-id", "i-0123456789abcdef0");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--region");
    }

    @Test
    void discover_badTimeoutFlag_exits78NamingTheFlag() {
        Result r = Cli.run(env(), "discover", "--timeout", "0s", "--peers", "10.0.0.2");

        assertThat(r.exitCode()).isEqualTo(78);
        assertThat(r.err()).hasLineCount(1).contains("--timeout").contains("DISCOVER_TIMEOUT").contains("at least 1s");
    }

    @Test
    void discover_unknownInstanceId_exits2NamingTheFlag_asAMalformedOneDoes() {
        Result r = discoverAs("i-0123456789abcdef0");

        // A usage error, as a malformed --instance-id is: the flag's value is wrong, not the configuration.
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).hasLineCount(1).contains("--instance-id").contains("i-0123456789abcdef0");
    }

    @Test
    void discover_badConfigValue_exits78_andVerboseAddsTheStackTrace() throws IOException {
        Files.writeString(configDir.resolve("scope.config"), "REFRESH_INTERVAL=soon\n");

        Result quiet = Cli.run(env(), "discover");
        Result verbose = Cli.run(env(), "discover", "--verbose");

        assertThat(quiet.exitCode()).isEqualTo(78);
        assertThat(quiet.err()).hasLineCount(1)
                .contains(configDir.resolve("scope.config") + " line 1").contains("REFRESH_INTERVAL");
        assertThat(verbose.exitCode()).isEqualTo(78);
        assertThat(verbose.err()).contains("\tat com.nholuongut");
    }

    @Test
    void discover_commonOptionsBeforeTheCommandName_meanTheSameAsAfterIt() throws IOException {
        Path elsewhere = Files.createDirectories(configDir.resolveSibling(configDir.getFileName() + "-top"));
        Files.writeString(elsewhere.resolve("nholuongut.config"), "PEERS=10.0.0.7\n");
        Map<String, String> env = new HashMap<>(moto.env());

        Result before = Cli.run(env, "--config-dir", elsewhere.toString(), "discover");
        Result after = Cli.run(env, "discover", "--config-dir", elsewhere.toString());
        Result peers = Cli.run(env, "--peers", "10.0.0.1", "discover", "--config-dir", elsewhere.toString(),
                "--peers", "10.0.0.3");
        Result sets = Cli.run(env, "--set", "PEERS=10.0.0.2", "discover", "--set", "PEERS=10.0.0.4");
        Result mixed = Cli.run(env, "--peers", "10.0.0.1", "discover", "--set", "PEERS=10.0.0.5");
        Result verbose = Cli.run(env, "-v", "--set", "REFRESH_INTERVAL=soon", "discover");

        assertThat(before.exitCode()).as(before.err()).isZero();
        assertThat(before.outLines()).containsExactly("10.0.0.7");
        assertThat(after.outLines()).containsExactly("10.0.0.7");
        assertThat(peers.exitCode()).as(peers.err()).isZero();
        assertThat(peers.outLines()).as("after the command's name wins").containsExactly("10.0.0.3");
        assertThat(sets.outLines()).as("the later --set wins").containsExactly("10.0.0.4");
        assertThat(mixed.outLines()).as("a --set after the name beats a named flag before it")
                .containsExactly("10.0.0.5");
        assertThat(verbose.exitCode()).isEqualTo(78);
        assertThat(verbose.err()).contains("--set REFRESH_INTERVAL").contains("\tat com.nholuongut");
    }

    @Test
    void discover_unknownOutputFormat_isAOneLineUsageError() {
        Result r = Cli.run(env(), "discover", "-o", "yaml");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).hasLineCount(1).contains("yaml").contains("--help");
    }

    @Test
    void discover_unknownOptionOrSetKey_isAOneLineUsageErrorThatHidesTheValue() {
        Result unknown = Cli.run(env(), "discover", "--bogus");
        Result badSet = Cli.run(env(), "discover", "--set", "SERVICE_TOKN=s3cret");

        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).hasLineCount(1).contains("--bogus");
        assertThat(badSet.exitCode()).isEqualTo(2);
        assertThat(badSet.err()).hasLineCount(1).contains("SERVICE_TOKN").doesNotContain("s3cret");
    }

    @Test
    void discover_setWithASecretWhereTheKeyShouldBe_isAUsageErrorThatShowsNoneOfIt() {
        // A base64 password pasted after --set without its key: the text before '=' is part of it.
        Result r = Cli.run(env(), "discover", "--set", "c2VjcmV0cGFzcw==");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).hasLineCount(1).contains("--set takes KEY=VALUE with a known key")
                .contains("not shown").doesNotContain("c2VjcmV0");
    }

    @Test
    void discover_malformedConfigLine_exits78WithoutShowingItsValue() throws IOException {
        Files.writeString(configDir.resolve("scope.config"), "SERVICE-TOKEN=s3cret\n");

        Result r = Cli.run(env(), "discover");

        assertThat(r.exitCode()).isEqualTo(78);
        assertThat(r.err()).hasLineCount(1).contains("line 1").contains("SERVICE-TOKEN").doesNotContain("s3cret");
    }

    @Test
    void discover_refreshIntervalTooLong_exits78() {
        Result overflow = Cli.run(env(), "discover", "--set", "REFRESH_INTERVAL=99999999999999999h");
        Result tooLong = Cli.run(env(), "discover", "--set", "REFRESH_INTERVAL=25h");

        assertThat(overflow.exitCode()).isEqualTo(78);
        assertThat(overflow.err()).hasLineCount(1).contains("REFRESH_INTERVAL");
        assertThat(tooLong.exitCode()).isEqualTo(78);
        assertThat(tooLong.err()).contains("at most 24h");
    }

    @Test
    void discover_metadataServiceAnsweringGarbage_exits5() throws IOException {
        try (ImdsFixture imds = new ImdsFixture("i-0123456789abcdef0", AwsEmulator.REGION, "10.0.0.1")) {
            imds.mode(ImdsFixture.Mode.GARBAGE);
            Map<String, String> env = env();
            env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());

            Result r = Cli.run(env, "discover");

            assertThat(r.exitCode()).isEqualTo(5);
            assertThat(r.err()).hasLineCount(1).contains("not JSON");
        }
    }

    @Test
    void discover_staticPeers_areTheListExactly_thisHostsOwnAddressesIncluded() {
        // SPEC: PEERS replaces discovery. One list serves the whole group; Net ignores its own address.
        Map<String, String> env = env();
        env.put("NHOLUONGUT_PEERS", "127.0.0.5 127.0.0.1 ::1 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5");

        Result r = Cli.run(env, "discover");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.outLines()).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5",
                "127.0.0.1", "127.0.0.5", "::1");
    }

    static List<String> addresses(JsonNode json) {
        return json.field("peers").get().asArray().stream()
                .map(p -> p.field("address").get().asString()).toList();
    }
}
