package com.nholuongut.ecs.image;

import static com.nholuongut.ecs.testing.AgentProcess.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.image.Script.Result;
import com.nholuongut.ecs.testing.FakeTools;
import com.nholuongut.ecs.testing.RelaunchLine;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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

    /** The unit's ExecStart= words, as the image's archive script reads them (continuation lines joined). */
    static List<String> execStart() throws IOException, InterruptedException {
        Result r = Script.run(Path.of("."), Map.of(), Duration.ofSeconds(30),
                Script.repoFile("packer/scripts/make-cds-archive.sh"), "--exec-start", UNIT.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        return List.of(r.out().strip().split("\\s+"));
    }

    /** The unit's JVM options (between the java binary and -jar), with the archive option replaced. */
    static List<String> jvmOptions(String archive) throws IOException, InterruptedException {
        List<String> exec = execStart();
        List<String> options = new ArrayList<>();
        for (String word : exec.subList(1, exec.indexOf("-jar"))) {
            options.add(word.startsWith("-XX:AOTCache=") ? "-XX:AOTCache=" + archive : word);
        }
        return options;
    }

    /**
     * A Java 25 or later, as the unit's {@code -XX:AOTCache} needs (the image installs Corretto 25): this JVM when
     * it is one, else the first in /usr/lib/jvm. The build itself stays on this machine's Java.
     */
    static String java() throws IOException {
        Path own = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Runtime.version().feature() >= 25) {
            return own.toString();
        }
        try (Stream<Path> jvms = Files.list(Path.of("/usr/lib/jvm"))) {
            return jvms.sorted().map(home -> home.resolve("bin/java")).filter(Files::isExecutable)
                    .filter(java -> feature(java) >= 25).findFirst().map(Path::toString)
                    .orElseThrow(() -> new AssertionError("the unit's -XX:AOTCache needs Java 25 or later, and"
                            + " neither this JVM nor /usr/lib/jvm has one"));
        }
    }

    private static int feature(Path java) {
        try {
            Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
            Matcher m = Pattern.compile("version \"(\\d+)").matcher(new String(p.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8));
            p.waitFor(30, TimeUnit.SECONDS);
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | InterruptedException e) {
            return 0;
        }
    }

    @Test
    void makeCdsArchive_fromTheUnit_trainsOnASuccessfulDiscovery_andWritesACacheTheUnitsJvmAndAPlainDiscoverUse() throws Exception {
        // The image's layout: the cache beside the jar (/usr/local/lib/nholuongut/agent.{jar,aot}).
        Path jar = Files.copy(JAR, Files.createDirectories(work.resolve("lib")).resolve("agent.jar"));
        Path archive = work.resolve("lib/agent.aot");

        Result made = Script.run(work, Map.of("JAVA", java(), "JAR", jar.toString(), "ARCHIVE", archive.toString(),
                "CONFIG_DIR", CONFIG.toString()), Duration.ofMinutes(3),
                Script.repoFile("packer/scripts/make-cds-archive.sh"), UNIT.toString());

        assertThat(made.exitCode()).as(made.out() + made.err()).isZero();
        assertThat(Files.size(archive)).isGreaterThan(1_000_000);
        assertThat(made.out()).contains("training run (aot)", "wrote " + archive);

        // AOTMode=on fails instead of running without the cache. The cache's classes are loaded at start-up, so
        // the class-load log of any run lists what the training put in it.
        Path classLog = work.resolve("classes.log");
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(jvmOptions(archive.toString()));
        Path aotLog = work.resolve("aot.log");
        command.addAll(List.of("-XX:AOTMode=on", "-Xlog:class+load=info:file=" + classLog,
                "-Xlog:aot=info:file=" + aotLog, "-jar", jar.toString(),
                "discover", "--peers", "10.0.0.2", "--config-dir", Files.createDirectories(work.resolve("etc")).toString()));
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).isEqualTo("10.0.0.2\n");
        List<String> cached = Files.readAllLines(classLog).stream().filter(l -> l.contains("source: shared objects file"))
                .map(l -> l.replaceAll("^\\S+ (\\S+) .*$", "$1")).toList();
        // A boot that discovered a group: IMDSv2, the EC2 answers parsed and paged, the tools run; and picocli,
        // compiled from source so that the cache can hold it.
        assertThat(cached).contains(
                "com.nholuongut.ecs.aws.ImdsIdentity",
                "software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse",
                "software.amazon.awssdk.services.ec2.model.Reservation",
                "software.amazon.awssdk.services.ec2.paginators.DescribeInstancesIterable",
                "com.nholuongut.ecs.daemon.Reconciler",
                "picocli.CommandLine");

        // The unit's heap starts small: its initial old generation must take the cache's archived heap objects
        // (interned strings, class mirrors) at start-up, or the JVM refuses to start ("archived heap objects
        // cannot be loaded"). With room to spare: a training run archives a few KB more or less each time.
        long archivedHeap = 0;
        for (String line : Files.readAllLines(aotLog)) {
            Matcher m = Pattern.compile("Loaded heap +region #\\d+ at base \\S+ top \\S+ size (\\d+)").matcher(line);
            archivedHeap += m.find() ? Long.parseLong(m.group(1)) : 0;
        }
        List<String> flags = new ArrayList<>(List.of(java()));
        flags.addAll(jvmOptions(archive.toString()));
        flags.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process printed = new ProcessBuilder(flags).redirectErrorStream(true).start();
        Map<String, Long> sizes = new java.util.HashMap<>();
        for (String line : new String(printed.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length >= 4 && (w[1].equals("InitialHeapSize") || w[1].equals("NewSize"))) {
                sizes.put(w[1], Long.parseLong(w[3]));
            }
        }
        assertThat(printed.waitFor(60, TimeUnit.SECONDS)).isTrue();
        long initialOld = sizes.get("InitialHeapSize") - sizes.get("NewSize");
        assertThat(archivedHeap).as("archived heap objects vs. the unit's initial old generation of %d bytes",
                initialOld).isPositive().isLessThan(initialOld * 3 / 4);

        // A plain `java -jar agent.jar discover`, as an operator types it on the image, relaunches itself with
        // this cache; the child's command line, run again with AOTMode=on, proves that the cache takes it.
        ProcessBuilder plain = new ProcessBuilder(java(), "-jar", jar.toString(), "discover", "-v", "--peers",
                "10.0.0.2", "--config-dir", work.resolve("etc").toString()).directory(work.toFile());
        List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS").forEach(plain.environment()::remove);
        Process relaunched = plain.redirectError(work.resolve("plain.err").toFile()).start();
        String peers = new String(relaunched.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(relaunched.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String first = Files.readAllLines(work.resolve("plain.err")).get(0);
        assertThat(relaunched.exitValue()).as(first).isZero();
        assertThat(peers).isEqualTo("10.0.0.2\n");
        assertThat(first).contains(" -XX:AOTCache=" + archive + " ");
        String strictOut = RelaunchLine.of(first).runStrictly("-XX:AOTMode=on", List.of("discover", "-v", "--peers",
                "10.0.0.2", "--config-dir", work.resolve("etc").toString()), work, Map.of());
        assertThat(strictOut).contains("10.0.0.2");
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
        // No cache at that path: the agent must start anyway, as on an image after a Java update.
        command.addAll(jvmOptions(work.resolve("missing.aot").toString()));
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
        // A cluster with Service Connect tasks: the ECS agent is to stay off Net's proxy.
        pb.environment().put("NHOLUONGUT_ECS_VIA_NET_PROXY", "false");
        pb.environment().put("NHOLUONGUT_RUN_DIR", work.resolve("run").toString());
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
            // Left before readiness, for ecs-env.sh (EcsEnvScriptTest: then no DOCKER_HOST for the ECS agent).
            assertThat(work.resolve("run/ecs-direct")).hasContent("ECS_VIA_NET_PROXY=false");
        } finally {
            agent.destroyForcibly();
        }
    }
}
