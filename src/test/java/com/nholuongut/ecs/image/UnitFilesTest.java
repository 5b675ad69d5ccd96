package com.nholuongut.ecs.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.config.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the image's files promise each other and SPEC ("The image"): the units' settings, the paths that the
 * units, the helper script and the install script share, and the example configuration. (Whether systemd
 * accepts the units is {@code systemd-analyze verify} in .ci/run.)
 */
class UnitFilesTest {

    static final String LIB = "/usr/local/lib/nholuongut";
    /** SPEC's configuration table: every key and its default ("" for none). */
    static final Map<String, String> SPEC_KEYS = Map.ofEntries(
            Map.entry("PEER_GROUP_TAG", "nholuongut:peerGroupName"), Map.entry("PEER_GROUP_NAME", ""),
            Map.entry("PEERS", ""), Map.entry("DISCOVERY", "auto"), Map.entry("REFRESH_INTERVAL", "60s"),
            Map.entry("NET_LAUNCH_ARGS", ""), Map.entry("SCOPE_ENABLED", "true"), Map.entry("SERVICE_TOKEN", ""),
            Map.entry("SCOPE_LAUNCH_ARGS", ""), Map.entry("NET_BIN", "/usr/local/bin/nholuongut"),
            Map.entry("SCOPE_BIN", "/usr/local/bin/scope"), Map.entry("STATE_DIR", "/var/lib/nholuongut"),
            Map.entry("IMDS_V1_FALLBACK", "false"), Map.entry("NET_PASSWORD", ""), Map.entry("NET_PASSWORD_FILE", ""),
            Map.entry("DISCOVER_TIMEOUT", "120s"), Map.entry("SCOPE_APPS", "3"));
    /** A KEY=VALUE line, commented out or not. */
    static final Pattern SETTING = Pattern.compile("#?([A-Z][A-Z0-9_]*)=(.*)");

    /** A unit file's settings: section, then key, then every value in order. */
    static Map<String, Map<String, List<String>>> unit(String relative) throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> section = null;
        StringBuilder logical = new StringBuilder();
        for (String raw : Files.readAllLines(Script.repoFile(relative))) {
            String line = raw.strip();
            if (logical.isEmpty() && (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))) {
                continue;
            }
            if (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            logical.append(line);
            String full = logical.toString().strip();
            logical.setLength(0);
            if (full.startsWith("[")) {
                section = sections.computeIfAbsent(full.substring(1, full.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            int eq = full.indexOf('=');
            assertThat(eq).as("%s: '%s'", relative, full).isPositive();
            assertThat(section).as("%s: setting outside a section", relative).isNotNull();
            section.computeIfAbsent(full.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(full.substring(eq + 1).strip());
        }
        return sections;
    }

    /** Every value of {@code key}, split on spaces (for list settings such as After=). */
    static List<String> words(Map<String, Map<String, List<String>>> unit, String section, String key) {
        return unit.getOrDefault(section, Map.of()).getOrDefault(key, List.of()).stream()
                .flatMap(v -> Stream.of(v.split("\\s+"))).filter(w -> !w.isEmpty()).toList();
    }

    static String single(Map<String, Map<String, List<String>>> unit, String section, String key) {
        List<String> values = unit.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
        assertThat(values).as("[%s] %s=", section, key).hasSize(1);
        return values.get(0);
    }

    static String text(String relative) throws IOException {
        return Files.readString(Script.repoFile(relative));
    }

    @Test
    void agentUnit_isNotifyTypedAndOrderedBeforeEcs() throws IOException {
        var unit = unit("init/nholuongut-agent.service");

        assertThat(words(unit, "Unit", "Wants")).contains("docker.service", "network-online.target");
        // After multi-user.target as well: with cloud-init 24.4+ (cloud-final After=multi-user.target) anything
        // else is an ordering cycle (CI's "systemd ordering" step runs the boot to find one).
        assertThat(words(unit, "Unit", "After")).contains("docker.service", "network-online.target",
                "cloud-final.service", "multi-user.target");
        assertThat(words(unit, "Unit", "Before")).contains("ecs.service");
        assertThat(unit.get("Unit")).doesNotContainKeys("Requires", "BindsTo", "Requisite");
        assertThat(single(unit, "Service", "Type")).isEqualTo("notify");
        assertThat(single(unit, "Service", "NotifyAccess")).isEqualTo("all");
        assertThat(single(unit, "Service", "Restart")).isEqualTo("on-failure");
        assertThat(words(unit, "Service", "RestartPreventExitStatus")).contains("78");
        assertThat(single(unit, "Service", "TimeoutStartSec")).isEqualTo("120s");
        // The agent reports ready by itself (READY_TIMEOUT), then ecs-env.sh (ExecStartPost=) runs under a
        // timeout: both before systemd would give up on the start, which counts both.
        Matcher post = Pattern.compile("-/usr/bin/timeout (\\d+) " + Pattern.quote(LIB + "/ecs-env.sh"))
                .matcher(single(unit, "Service", "ExecStartPost"));
        assertThat(post.matches()).as(single(unit, "Service", "ExecStartPost")).isTrue();
        Matcher wait = Pattern.compile("wait_seconds=\\$\\{WAIT_SECONDS:-(\\d+)}")
                .matcher(text("init/nholuongut-ecs-env.sh"));
        assertThat(wait.find()).isTrue();
        assertThat(Long.parseLong(post.group(1))).as("room for the script's own wait")
                .isGreaterThan(Long.parseLong(wait.group(1)));
        assertThat(Durations.parse(ConfigKey.READY_TIMEOUT.defaultValue())
                .plusSeconds(Long.parseLong(post.group(1))).plusSeconds(10))
                .isLessThan(Durations.parse(single(unit, "Service", "TimeoutStartSec")));
        assertThat(words(unit, "Install", "WantedBy")).containsExactly("multi-user.target");
    }

    @Test
    void agentUnit_runsTheInstalledJarWithItsClassDataArchive() throws IOException {
        List<String> exec = List.of(single(unit("init/nholuongut-agent.service"), "Service", "ExecStart").split("\\s+"));

        assertThat(exec.get(0)).isEqualTo("/usr/bin/java");
        assertThat(exec.subList(exec.size() - 3, exec.size())).containsExactly("-jar", LIB + "/agent.jar", "run");
        // An AOT cache (Java 25): a missing or stale one only makes the start slower; -Xshare cannot go with it.
        assertThat(exec).contains("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError",
                "-XX:AOTCache=" + LIB + "/agent.aot");
        assertThat(exec).noneMatch(f -> f.startsWith("-Xshare") || f.startsWith("-XX:SharedArchiveFile"));
        assertThat(exec).anyMatch(f -> f.startsWith("-Xmx")).anyMatch(f -> f.startsWith("-XX:MaxMetaspaceSize="));
    }

    @Test
    void agentUnit_pointsTheEcsAgentAtNetOnlyAfterReadiness_andNeverFailsForIt() throws IOException {
        var unit = unit("init/nholuongut-agent.service");

        assertThat(single(unit, "Service", "ExecStartPost")).isEqualTo("-/usr/bin/timeout 25 " + LIB + "/ecs-env.sh");
        assertThat(text("packer/scripts/install.sh")).contains(
                "install -m 0755 \"$STAGE/init/nholuongut-ecs-env.sh\" \"$LIB/ecs-env.sh\"", "LIB=" + LIB);
    }

    @Test
    void ecsDropIn_waitsForTheAgentWithWantsNeverRequires() throws IOException {
        var dropIn = unit("init/ecs.service.d/nholuongut.conf");

        assertThat(words(dropIn, "Unit", "Wants")).containsExactly("nholuongut-agent.service");
        assertThat(words(dropIn, "Unit", "After")).containsExactly("nholuongut-agent.service", "multi-user.target");
        assertThat(dropIn.get("Unit")).doesNotContainKeys("Requires", "BindsTo", "Requisite", "PartOf");
        // Optional ("-"): without the file the ECS agent uses Docker directly.
        assertThat(single(dropIn, "Service", "EnvironmentFile")).isEqualTo("-/run/nholuongut/ecs.env");
        assertThat(dropIn.get("Service")).doesNotContainKeys("Environment", "ExecStart", "ExecStartPre");
    }

    @Test
    void dockerSocket_isTheOneTheHelperGivesTheEcsAgent() throws IOException {
        var socket = unit("init/nholuongut-docker.socket");
        var forwarder = unit("init/nholuongut-docker.service");
        String helper = text("init/nholuongut-ecs-env.sh");

        assertThat(single(socket, "Socket", "ListenStream")).isEqualTo("/run/nholuongut/docker.sock");
        assertThat(helper).contains("run_dir=${2:-/run/nholuongut}", "\"DOCKER_HOST=unix://$run_dir/docker.sock\"",
                "\"NET_PROXY_SOCKET=$socket\"");
        assertThat(single(forwarder, "Service", "EnvironmentFile")).isEqualTo("/run/nholuongut/proxy.env");
        Matcher exec = Pattern.compile(Pattern.quote("/usr/lib/systemd/systemd-socket-proxyd --connections-max=")
                + "(\\d+) " + Pattern.quote("${NET_PROXY_SOCKET}")).matcher(single(forwarder, "Service", "ExecStart"));
        assertThat(exec.matches()).as(single(forwarder, "Service", "ExecStart")).isTrue();
        // Beyond the default 256 (one stats stream per container), with the descriptors that many connections take.
        int connections = Integer.parseInt(exec.group(1));
        assertThat(connections).isGreaterThanOrEqualTo(1024);
        assertThat(Integer.parseInt(single(forwarder, "Service", "LimitNOFILE"))).isGreaterThan(6 * connections);
        assertThat(words(unit("init/nholuongut-docker.socket"), "Install", "WantedBy")).containsExactly("sockets.target");
    }

    @Test
    void installScript_installsEveryFileOfInit() throws IOException {
        String install = text("packer/scripts/install.sh");
        List<String> files;
        try (Stream<Path> walk = Files.walk(Script.repoFile("init"))) {
            files = walk.filter(Files::isRegularFile).map(p -> Script.REPO.resolve("init").relativize(p).toString())
                    .toList();
        }

        assertThat(files).isNotEmpty();
        for (String file : files) {
            assertThat(install).as("install.sh installs init/%s", file).contains("\"$STAGE/init/" + file + "\"");
        }
        assertThat(install).contains("systemctl enable nholuongut-agent.service nholuongut-docker.socket");
    }

    @Test
    void shippedNetConfig_setsTheEcsDefaultsAndShowsEveryOtherKeyWithItsDefault() throws IOException {
        List<String> lines = Files.readAllLines(Script.repoFile("packer/files/etc/nholuongut/nholuongut.config"));

        assertThat(lines.stream().filter(l -> !l.isBlank() && !l.startsWith("#"))).containsExactly(
                "NET_LAUNCH_ARGS=--plugin=false --hostname-from-label com.amazonaws.ecs.container-name");
        SPEC_KEYS.forEach((key, defaultValue) -> {
            if (!key.equals("NET_LAUNCH_ARGS")) {
                assertThat(lines).as("nholuongut.config shows %s", key).contains("#" + key + "=" + defaultValue);
            }
        });
    }

    @Test
    void shippedConfigs_nameOnlyKeysTheAgentKnows_withItsDefaults() throws IOException {
        for (String file : List.of("nholuongut.config", "scope.config")) {
            for (String line : Files.readAllLines(Script.repoFile("packer/files/etc/nholuongut/" + file))) {
                Matcher m = SETTING.matcher(line);
                if (m.matches()) {
                    ConfigKey key = ConfigKey.byName(m.group(1)).orElseThrow(
                            () -> new AssertionError(file + " shows " + m.group(1) + ", which the agent does not know"));
                    if (line.startsWith("#")) {
                        assertThat(m.group(2)).as("%s: %s", file, line)
                                .isEqualTo(key.defaultValue() == null ? "" : key.defaultValue());
                    }
                }
            }
        }
    }

    @Test
    void shippedScopeConfig_showsScopesKeysCommented() throws IOException {
        List<String> lines = Files.readAllLines(Script.repoFile("packer/files/etc/nholuongut/scope.config"));

        assertThat(lines).allMatch(l -> l.isBlank() || l.startsWith("#"));
        assertThat(lines).contains("#SCOPE_ENABLED=true", "#SERVICE_TOKEN=", "#SCOPE_LAUNCH_ARGS=", "#SCOPE_APPS=3");
        assertThat(text("packer/scripts/install.sh")).contains(
                "install -m 0600 \"$STAGE/files/etc/nholuongut/scope.config\" \"$ETC/scope.config\"");
    }

    @Test
    void packerTemplate_keepsRequiredPluginsOutOfTheValidatedFile() throws IOException {
        String template = text("packer/nholuongut-ecs.pkr.hcl");
        String versions = text("packer/versions.pkr.hcl");

        assertThat(template).doesNotContain("required_plugins");
        assertThat(versions).contains("required_plugins", "source  = \"github.com/hashicorp/amazon\"");
        assertThat(template).contains("owners      = [\"amazon\"]", "most_recent = true",
                "default     = \"al2023-ami-ecs-hvm-*-x86_64\"", "post-processor \"manifest\"");
        for (String variable : List.of("region", "instance_type", "net_version", "scope_version", "agent_jar",
                "ami_name_prefix", "net_sha256", "scope_sha256")) {
            assertThat(template).contains("variable \"" + variable + "\" {");
        }
    }
}
