package com.nholuongut.ecs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.testing.Fleet;
import com.nholuongut.ecs.testing.ImdsFixture;
import com.nholuongut.ecs.testing.AwsEmulator;
import com.nholuongut.ecs.testing.Emulators;
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

    Run java(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of(System.getProperty("agent.jar", "target/agent.jar")).toAbsolutePath().toString()));
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
            Thread.sleep(1500);
            assertThat(p.isAlive()).isTrue();
            p.destroy();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

            // The JVM's own answer to SIGTERM (128 + 15): only `run` turns it into a clean exit 0.
            assertThat(p.exitValue()).isEqualTo(143);
        }
    }

    @Test
    void jar_noMetadataService_exits5() throws Exception {
        Run r = java(Map.of(), "discover");

        assertThat(r.code()).isEqualTo(5);
        assertThat(r.err()).hasLineCount(1);
    }
}
