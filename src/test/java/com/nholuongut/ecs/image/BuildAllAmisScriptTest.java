package com.nholuongut.ecs.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.image.Script.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code packer/build-all-amis.sh} without AWS: fake {@code packer} and {@code aws} commands
 * (src/test/resources/image/fake-*.sh) record their argv; the fake packer writes the manifest Packer's
 * manifest post-processor would, or fails for the regions in FAIL_REGIONS.
 */
class BuildAllAmisScriptTest {

    static final Path SCRIPT = Script.repoFile("packer/build-all-amis.sh");
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    static final List<String> ORIGINAL_REGIONS = List.of("us-east-1", "us-east-2", "us-west-1", "us-west-2",
            "eu-west-1", "eu-west-2", "eu-central-1", "ap-northeast-1", "ap-southeast-1", "ap-southeast-2",
            "ca-central-1");

    @TempDir
    Path work;
    Path bin;
    Path readme;
    Path jar;

    @BeforeEach
    void setUp() throws IOException {
        bin = work.resolve("bin");
        Script.installExecutable(Script.fixture("fake-packer.sh"), bin, "packer");
        Script.installExecutable(Script.fixture("fake-aws.sh"), bin, "aws");
        jar = Files.writeString(work.resolve("agent.jar"), "not really a jar");
        readme = Files.writeString(work.resolve("README.md"), """
                # AMIs

                | Region | AMI |
                |---|---|
                | us-east-1 | ami-0123abcd |
                | eu-west-1 | ami-4567ef01 |

                The end.
                """);
    }

    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("PACKER", bin.resolve("packer").toString());
        env.put("AWS", bin.resolve("aws").toString());
        env.put("AGENT_JAR", jar.toString());
        env.put("README", readme.toString());
        env.put("OUT", work.resolve("out").toString());
        env.put("NET_VERSION", "2.8.1");
        env.put("NET_SHA256", "a".repeat(64));
        env.put("SCOPE_VERSION", "1.13.2");
        env.put("SCOPE_SHA256", "b".repeat(64));
        return env;
    }

    Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return Script.run(work, env, TIMEOUT, SCRIPT, args);
    }

    /** The AMI id the fake packer makes for a region. */
    static String ami(String region) throws NoSuchAlgorithmException {
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(region.getBytes(StandardCharsets.UTF_8));
        return "ami-0" + HexFormat.of().formatHex(hash).substring(0, 16);
    }

    /** Each recorded call of a fake command, as its argv. */
    List<List<String>> calls(String command) throws IOException {
        Path log = bin.resolve(command + "-calls.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log).stream().map(line -> List.of(line.split("\t", -1))).toList();
    }

    List<String> builtRegions() throws IOException {
        return calls("packer").stream().filter(c -> c.get(0).equals("build"))
                .map(c -> c.stream().filter(w -> w.startsWith("region=")).findFirst().orElseThrow().substring(7))
                .toList();
    }

    String readme() throws IOException {
        return Files.readString(readme);
    }

    @Test
    void buildAll_oneRegionFails_othersInTheReadmeAndExit1() throws Exception {
        Map<String, String> env = env();
        env.put("REGIONS", "us-east-1 eu-west-1 ca-central-1");
        env.put("FAIL_REGIONS", "eu-west-1");

        Result r = run(env);

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(readme()).isEqualTo("""
                # AMIs

                | Region | AMI |
                |---|---|
                | us-east-1 | %s |
                | eu-west-1 | ami-4567ef01 |
                | ca-central-1 | %s |

                The end.
                """.formatted(ami("us-east-1"), ami("ca-central-1")));
        assertThat(r.out()).contains("us-east-1: " + ami("us-east-1"), "eu-west-1: FAILED, see ",
                "ca-central-1: " + ami("ca-central-1"));
        assertThat(r.err()).contains("Failed: eu-west-1");
        assertThat(calls("aws")).isEmpty();
    }

    @Test
    void buildAll_byDefault_buildsTheOriginalElevenRegionsWithThePinnedVersions() throws Exception {
        Result r = run(env());

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        List<List<String>> packer = calls("packer");
        assertThat(packer.get(0)).containsExactly("init", Script.REPO.resolve("packer").toString());
        assertThat(builtRegions()).containsExactlyInAnyOrderElementsOf(ORIGINAL_REGIONS);
        for (List<String> build : packer.subList(1, packer.size())) {
            assertThat(build).contains("net_version=2.8.1", "net_sha256=" + "a".repeat(64), "scope_version=1.13.2",
                    "scope_sha256=" + "b".repeat(64), "agent_jar=" + jar.toAbsolutePath());
            assertThat(build.get(build.size() - 1)).isEqualTo(Script.REPO.resolve("packer").toString());
        }
        String table = readme();
        assertThat(table).contains("| us-east-1 | " + ami("us-east-1") + " |\n| eu-west-1 | " + ami("eu-west-1") + " |\n"
                + "| us-east-2 | " + ami("us-east-2") + " |\n");
        for (String region : ORIGINAL_REGIONS) {
            assertThat(table).containsOnlyOnce("| " + region + " | " + ami(region) + " |\n");
        }
        assertThat(table).endsWith("|\n\nThe end.\n");
    }

    @Test
    void buildAll_onlyRegion_buildsThatRegionAlone() throws Exception {
        Map<String, String> env = env();
        env.put("ONLY_REGION", "eu-west-2");

        Result r = run(env);

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(builtRegions()).containsExactly("eu-west-2");
        assertThat(readme()).contains("| eu-west-1 | ami-4567ef01 |\n| eu-west-2 | " + ami("eu-west-2") + " |\n\n");
    }

    @Test
    void buildAll_public_givesLaunchPermissionToAllForEachNewAmi() throws Exception {
        Map<String, String> env = env();
        env.put("REGIONS", "us-east-1 us-west-1 eu-central-1");
        env.put("FAIL_REGIONS", "us-west-1");

        Result r = run(env, "--public");

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(calls("aws")).containsExactlyInAnyOrder(
                List.of("ec2", "modify-image-attribute", "--region", "us-east-1", "--image-id", ami("us-east-1"),
                        "--launch-permission", "Add=[{Group=all}]"),
                List.of("ec2", "modify-image-attribute", "--region", "eu-central-1", "--image-id",
                        ami("eu-central-1"), "--launch-permission", "Add=[{Group=all}]"));
        assertThat(r.out()).contains("us-east-1: " + ami("us-east-1") + " (public)");
    }

    @Test
    void buildAll_publicByEnvironment_sameAsTheFlag() throws Exception {
        Map<String, String> env = env();
        env.put("ONLY_REGION", "us-east-1");
        env.put("PUBLIC", "1");

        Result r = run(env);

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(calls("aws")).hasSize(1);
    }

    @Test
    void buildAll_amiCannotBeMadePublic_keepsItOutOfTheReadme() throws Exception {
        Map<String, String> env = env();
        env.put("ONLY_REGION", "us-east-1");
        env.put("FAIL_AWS", "1");
        String before = readme();

        Result r = run(env, "--public");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(readme()).isEqualTo(before);
        assertThat(r.err()).contains("could not make " + ami("us-east-1") + " public");
    }

    @Test
    void buildAll_missingChecksum_exits2BeforeAnyBuild() throws Exception {
        Map<String, String> env = env();
        env.remove("SCOPE_SHA256");

        Result r = run(env);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("SCOPE_SHA256 is required");
        assertThat(calls("packer")).isEmpty();
    }

    @Test
    void buildAll_badRegionName_exits2BeforeAnyBuild() throws Exception {
        Map<String, String> env = env();
        env.put("ONLY_REGION", "us-east-1; rm -rf /");

        Result r = run(env);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("is not an AWS region name");
        assertThat(calls("packer")).isEmpty();
    }

    @Test
    void buildAll_withoutAgentJar_exits2SayingHowToBuildIt() throws Exception {
        Map<String, String> env = env();
        env.put("AGENT_JAR", work.resolve("missing.jar").toString());

        Result r = run(env);

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("./mvnw -B package");
        assertThat(calls("packer")).isEmpty();
    }

    @Test
    void buildAll_unknownArgument_exits2() throws Exception {
        Result r = run(env(), "--pubic");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(calls("packer")).isEmpty();
    }
}
