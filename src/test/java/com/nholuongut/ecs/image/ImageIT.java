package com.nholuongut.ecs.image;

import static com.nholuongut.ecs.testing.AgentProcess.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.image.Script.Result;
import com.nholuongut.ecs.testing.FakeTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's pieces around the real jar (target/agent.jar): the agent started with the unit's JVM flags
 * and the shipped configuration, and the class-data archive made by the Packer build's training run.
 */
class ImageIT {

    static final Path UNIT = Script.repoFile("init/nholuongut-agent.service");
    static final Path CONFIG = Script.repoFile("packer/files/etc/nholuongut");
    static final Path JAR = Path.of(System.getProperty("agent.jar", "target/agent.jar")).toAbsolutePath();

    @TempDir
    Path work;

    /** The unit's ExecStart= words, continuation lines joined. */
    static List<String> execStart() throws IOException {
        String joined = String.join("\n", Files.readAllLines(UNIT)).replaceAll("\\\\\\s*\\n\\s*", " ");
        return joined.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().map(l -> l.substring(10))
                .map(l -> List.of(l.split("\\s+"))).orElseThrow();
    }

    /** The unit's JVM options (between the java binary and -jar), with the archive option replaced. */
    static List<String> jvmOptions(String archive) throws IOException {
        List<String> exec = execStart();
        List<String> options = new ArrayList<>();
        for (String word : exec.subList(1, exec.indexOf("-jar"))) {
            options.add(word.startsWith("-XX:SharedArchiveFile=") ? "-XX:SharedArchiveFile=" + archive : word);
        }
        return options;
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    void makeCdsArchive_fromTheUnit_writesAnArchiveTheUnitsJvmUses() throws Exception {
        Path jar = Files.copy(JAR, work.resolve("agent.jar"));
        Path archive = work.resolve("lib/agent.jsa");

        Result made = Script.run(work, Map.of("JAVA", java(), "JAR", jar.toString(), "ARCHIVE", archive.toString(),
                "CONFIG_DIR", CONFIG.toString()), Duration.ofMinutes(3),
                Script.repoFile("packer/scripts/make-cds-archive.sh"), UNIT.toString());

        assertThat(made.exitCode()).as(made.out() + made.err()).isZero();
        assertThat(Files.size(archive)).isGreaterThan(1_000_000);
        assertThat(made.out()).contains("wrote " + archive);

        // -Xshare:on fails instead of running without the archive; the class-load log shows where classes came from.
        Path classLog = work.resolve("classes.log");
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmOptions(archive.toString()));
        command.addAll(List.of("-Xshare:on", "-Xlog:class+load=info:file=" + classLog, "-jar", jar.toString(),
                "discover", "--peers", "10.0.0.2", "--config-dir", Files.createDirectories(work.resolve("etc")).toString()));
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).isEqualTo("10.0.0.2\n");
        long fromArchive = Files.readAllLines(classLog).stream().filter(l -> l.contains("shared objects file (top)"))
                .count();
        // Static peers load no AWS client: a few hundred classes, all from the archive made by the training run.
        assertThat(fromArchive).as("classes loaded from the agent's archive").isGreaterThan(300);
    }

    @Test
    void shippedConfig_withTheUnitsJvmFlags_launchesNetWithTheEcsDefaultsAndReportsReady() throws Exception {
        Path etc = Files.createDirectories(work.resolve("etc"));
        for (String name : List.of("nholuongut.config", "scope.config")) {
            Files.copy(CONFIG.resolve(name), etc.resolve(name));
        }
        Files.setPosixFilePermissions(etc.resolve("scope.config"), PosixFilePermissions.fromString("rw-------"));
        FakeTools tools = new FakeTools(work.resolve("bin"));

        List<String> command = new ArrayList<>(List.of(java()));
        // No archive at that path: -Xshare:auto must start the agent anyway, as on an image after a Java update.
        command.addAll(jvmOptions(work.resolve("missing.jsa").toString()));
        command.addAll(List.of("-jar", JAR.toString(), "run"));
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
        pb.environment().clear();
        pb.environment().putAll(Map.of(
                "PATH", tools.dir() + ":" + System.getenv("PATH"),
                "NOTIFY_SOCKET", "/run/systemd/notify-test",
                "NHOLUONGUT_CONFIG_DIR", etc.toString(),
                "NHOLUONGUT_NET_BIN", tools.net().toString(),
                "NHOLUONGUT_SCOPE_BIN", tools.scope().toString(),
                "NHOLUONGUT_STATE_DIR", work.resolve("state").toString(),
                "NHOLUONGUT_PEERS", "10.0.0.2",
                "AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9",
                "AWS_ENDPOINT_URL", "http://127.0.0.1:9",
                "AWS_REGION", "us-east-1"));
        Path log = work.resolve("agent.log");
        Process agent = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            List<String> launchScope = List.of("scope", "launch", "--probe.ecs=true", "10.0.0.2");
            assertThat(await(() -> tools.calls().contains(launchScope), Duration.ofSeconds(30)))
                    .as(Files.readString(log)).isTrue();

            assertThat(tools.calls()).containsSubsequence(
                    List.of("nholuongut", "status"),
                    List.of("nholuongut", "launch", "--ipalloc-init", "consensus=2", "--plugin=false",
                            "--hostname-from-label", "com.amazonaws.ecs.container-name", "10.0.0.2"),
                    List.of("systemd-notify", "--ready"),
                    launchScope);
            agent.destroy();
            assertThat(agent.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(agent.exitValue()).isZero();
            String output = Files.readString(log);
            assertThat(output).doesNotContain("unknown key", "WARN", "warning");
        } finally {
            agent.destroyForcibly();
        }
    }
}
