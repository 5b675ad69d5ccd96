package com.nholuongut.ecs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.testing.Fleet;
import com.nholuongut.ecs.testing.ImdsFixture;
import com.nholuongut.ecs.testing.AwsEmulator;
import com.nholuongut.ecs.testing.Emulators;
import com.nholuongut.ecs.testing.RelaunchLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The shaded {@code target/agent.jar} run as a process, the way an operator or systemd runs it. */
@ExtendWith(Emulators.class)
class DiscoverJarIT {

    record Run(int code, String out, String err) {
    }

    @TempDir
    Path configDir;

    static final Path AGENT_JAR = Path.of(System.getProperty("agent.jar", "target/agent.jar")).toAbsolutePath();
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    Run java(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return java(AGENT_JAR, env, args);
    }

    /** A plain {@code java -jar JAR ARGS...}, no JVM option, as an operator types it. */
    Run java(Path jar, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(configDir.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv("PATH"));
        pb.environment().put("NHOLUONGUT_CONFIG_DIR", configDir.toString());
        pb.environment().put("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9");
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(configDir, "out", ".txt");
        Path err = Files.createTempFile(configDir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void jar_helpAndVersion_workFromAnyFolder() throws Exception {
        Run help = java(Map.of(), "--help");
        Run discoverHelp = java(Map.of(), "discover", "--help");
        Run version = java(Map.of(), "--version");

        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("discover").contains("78");
        assertThat(discoverHelp.out()).contains("--output").contains("--instance-id").contains("--config-dir");
        assertThat(version.out()).startsWith("nholuongut ECS agent ");
    }

    @Test
    void jar_discoverOnInstance_printsOnlyAddressesOnStdout(AwsEmulator moto) throws Exception {
        moto.reset();
        try (Fleet fleet = new Fleet(moto)) {
            List<String> ids = fleet.tagged("nholuongut:peerGroupName", "jar", 3);
            Files.writeString(configDir.resolve("nholuongut.config"), "SOMETHING_ELSE=1\n");
            try (ImdsFixture imds = new ImdsFixture(ids.get(0), AwsEmulator.REGION, fleet.address(ids.get(0)))) {
                Map<String, String> env = new java.util.HashMap<>(moto.env());
                env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());

                Run r = java(env, "discover");

                assertThat(r.code()).as(r.err()).isZero();
                assertThat(r.out().lines().toList()).containsExactlyInAnyOrderElementsOf(
                        fleet.addresses(ids.subList(1, 3)));
                assertThat(r.err()).as("the unknown key is a warning on stderr")
                        .contains("WARN").contains("unknown key SOMETHING_ELSE");
            }
        }
    }

    @Test
    void jar_badConfig_exits78WithOneLineAndNoStackTrace() throws Exception {
        Files.writeString(configDir.resolve("nholuongut.config"), "DISCOVERY=everything\n");

        Run r = java(Map.of(), "discover");

        assertThat(r.code()).isEqualTo(78);
        assertThat(r.err()).hasLineCount(1).contains("line 1").contains("DISCOVERY").doesNotContain("\tat ");
    }

    @Test
    void jar_sigtermDuringDiscover_isNotTheDaemonsExit0EvenWithRunAmongTheArguments() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress())) {
            // IMDS accepts and never answers: discover is still waiting when the signal comes.
            Map<String, String> env = Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT",
                    "http://127.0.0.1:" + silent.getLocalPort());
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    Path.of(System.getProperty("agent.jar", "target/agent.jar")).toAbsolutePath().toString(),
                    "discover", "--peer-group-name", "run"));
            ProcessBuilder pb = new ProcessBuilder(command).directory(configDir.toFile());
            pb.environment().put("NHOLUONGUT_CONFIG_DIR", configDir.toString());
            pb.environment().putAll(env);
            Process p = pb.redirectErrorStream(true).redirectOutput(configDir.resolve("out.txt").toFile()).start();
            // Its first metadata request: discover is past start-up and waiting for IMDS.
            silent.setSoTimeout(30_000);
            java.net.Socket request = silent.accept();
            assertThat(p.isAlive()).isTrue();
            p.destroy();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            request.close();

            // The JVM's own answer to SIGTERM (128 + 15): only `run` turns it into a clean exit 0.
            assertThat(p.exitValue()).isEqualTo(143);
        }
    }

    /** A copy of the jar in its own folder, with an AppCDS archive beside it, made as bench/discover.sh makes one. */
    Path jarBesideItsArchive() throws IOException, InterruptedException {
        Path lib = Files.createDirectory(configDir.resolve("lib"));
        Path jar = Files.copy(AGENT_JAR, lib.resolve("agent.jar"));
        Path archive = lib.resolve("agent.jsa");
        // A run that writes the classes it loaded at exit.
        Process dump = new ProcessBuilder(JAVA, "-XX:ArchiveClassesAtExit=" + archive, "-jar", jar.toString(),
                "discover", "--peers", "10.0.0.1").redirectErrorStream(true)
                .redirectOutput(configDir.resolve("dump.txt").toFile()).start();
        assertThat(dump.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(archive).as(Files.readString(configDir.resolve("dump.txt"))).isNotEmptyFile();
        return jar;
    }

    @Test
    void jar_plainDiscoverBesideItsArchive_relaunchesTuned_withTheSameOutputAndExitCodes() throws Exception {
        Path jar = jarBesideItsArchive();
        Path archive = jar.resolveSibling("agent.jsa");

        Run peers = java(jar, Map.of("NHOLUONGUT_PEERS", "10.0.0.9, 10.0.0.10 10.0.0.9"), "discover", "-v");
        Run json = java(jar, Map.of("NHOLUONGUT_PEERS", "10.0.0.9"), "discover", "-o", "json");
        Run invalid = java(jar, Map.of("NHOLUONGUT_PEERS", "peer.example.internal"), "discover");
        Run unreachable = java(jar, Map.of(), "discover");

        assertThat(peers.code()).as(peers.err()).isZero();
        assertThat(peers.out()).isEqualTo("10.0.0.9\n10.0.0.10\n");
        String first = peers.err().lines().findFirst().orElse("");
        assertThat(first).as("--verbose shows the child's JVM, flags and archive, not the arguments again")
                .startsWith(RelaunchLine.PREFIX + JAVA + " ").endsWith(" -jar " + jar + RelaunchLine.SUFFIX)
                .contains(" -XX:+UseSerialGC ", " -XX:SharedArchiveFile=" + archive + " ");
        assertThat(json.code()).isZero();
        assertThat(json.out()).contains("\"kind\": \"static\"").contains("10.0.0.9");
        assertThat(invalid.code()).as("the child's exit code is the jar's").isEqualTo(78);
        assertThat(invalid.err()).hasLineCount(1).contains("PEERS");
        assertThat(unreachable.code()).isEqualTo(5);
        assertThat(unreachable.err()).hasLineCount(1);

        // The child's command line maps the archive: -Xshare:on refuses to start without it.
        String out = RelaunchLine.of(first).runStrictly("-Xshare:on", List.of("discover"), configDir,
                Map.of("NHOLUONGUT_PEERS", "10.0.0.3", "NHOLUONGUT_CONFIG_DIR", configDir.toString()));
        assertThat(out).isEqualTo("10.0.0.3\n");
    }

    @Test
    void jar_sigtermToARelaunchingDiscover_endsTheChildToo() throws Exception {
        Path jar = jarBesideItsArchive();
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress())) {
            // IMDS accepts and never answers: the child is still waiting when the signal comes.
            ProcessBuilder pb = new ProcessBuilder(JAVA, "-jar", jar.toString(), "discover")
                    .directory(configDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(configDir.resolve("out.txt").toFile());
            List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS").forEach(pb.environment()::remove);
            pb.environment().put("NHOLUONGUT_CONFIG_DIR", configDir.toString());
            pb.environment().put("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + silent.getLocalPort());
            Process parent = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (parent.descendants().findAny().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<ProcessHandle> children = parent.descendants().toList();
            assertThat(children).as("the relaunched child").isNotEmpty();
            // The child's first metadata request: it is past start-up and waiting for IMDS.
            silent.setSoTimeout(30_000);
            java.net.Socket request = silent.accept();

            parent.destroy();

            assertThat(parent.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(parent.exitValue()).isEqualTo(143);
            assertThat(children).as("children alive after the parent's exit").noneMatch(ProcessHandle::isAlive);
            request.close();
        }
    }

    @Test
    void jar_plainDiscoverBesideABrokenArchive_stillDiscovers_withStdoutClean() throws Exception {
        Path lib = Files.createDirectory(configDir.resolve("lib"));
        Path jar = Files.copy(AGENT_JAR, lib.resolve("agent.jar"));
        Files.writeString(lib.resolve("agent.jsa"), "not an archive");

        Run r = java(jar, Map.of("NHOLUONGUT_PEERS", "10.0.0.2"), "discover");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("10.0.0.2\n");
    }

    @Test
    void jar_instanceProfileCredentials_neverReadWithImdsV1UnlessFallbackAllowed() throws Exception {
        // No credentials in the environment or a profile file: the SDK's default chain ends at the instance
        // profile, whose provider goes tokenless (IMDSv1) when its token request fails with anything but a 400;
        // this metadata service refuses tokens with a 403, as a proxy in front of it might.
        try (ImdsFixture imds = new ImdsFixture("i-0123456789abcdef0", AwsEmulator.REGION, "10.0.0.5")) {
            imds.mode(ImdsFixture.Mode.V1_ONLY);
            Map<String, String> env = new java.util.HashMap<>(Map.of(
                    "AWS_EC2_METADATA_DISABLED", "false",
                    "AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString(),
                    "AWS_SHARED_CREDENTIALS_FILE", configDir.resolve("no-credentials").toString(),
                    "AWS_CONFIG_FILE", configDir.resolve("no-config").toString(),
                    "AWS_ENDPOINT_URL", "http://127.0.0.1:9"));
            String[] offInstance = {"discover", "--instance-id", "i-0123456789abcdef0", "--region", AwsEmulator.REGION};

            Run refused = java(env, offInstance);

            assertThat(refused.code()).as(refused.err()).isEqualTo(5);
            assertThat(refused.err()).hasLineCount(1).contains("no AWS credentials for ec2:DescribeInstances")
                    .contains("the instance role's: ").doesNotContain("EnvironmentVariableCredentialsProvider");
            assertThat(imds.tokenRequests()).as("the instance profile was asked").isPositive();
            assertThat(imds.tokenlessReads()).as("IMDSv1 is never used without IMDS_V1_FALLBACK").isZero();

            env.put("NHOLUONGUT_IMDS_V1_FALLBACK", "true");
            Run allowed = java(env, offInstance);

            assertThat(allowed.code()).as(allowed.err()).isEqualTo(5);
            assertThat(imds.tokenlessReads()).as("allowed: the SDK's own fallback").isPositive();
        }
    }

    @Test
    void jar_noMetadataService_exits5() throws Exception {
        Run r = java(Map.of(), "discover");

        assertThat(r.code()).isEqualTo(5);
        assertThat(r.err()).hasLineCount(1);
    }
}
