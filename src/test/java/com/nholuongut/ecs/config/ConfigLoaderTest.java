package com.nholuongut.ecs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nholuongut.ecs.config.ConfigValue;
import com.nholuongut.ecs.discovery.DiscoveryMode;
import com.nholuongut.ecs.discovery.ScopeApps;
import com.nholuongut.ecs.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;
    @RegisterExtension
    final LogCapture warnings = LogCapture.of(ConfigLoader.class);

    List<String> warningLines() {
        return warnings.lines();
    }

    AgentConfig load(Map<String, String> env, Map<ConfigKey<?>, ConfigValue> flags) {
        return ConfigLoader.load(dir, env, flags);
    }

    AgentConfig load() {
        return load(Map.of(), Map.of());
    }

    void write(String file, String text) throws IOException {
        Files.writeString(dir.resolve(file), text);
    }

    @Test
    void load_noFiles_givesSpecDefaults() {
        AgentConfig c = load();

        assertThat(c.get(ConfigKey.PEER_GROUP_TAG)).isEqualTo("nholuongut:peerGroupName");
        assertThat(c.get(ConfigKey.PEER_GROUP_NAME)).isNull();
        assertThat(c.isStatic()).isFalse();
        assertThat(c.get(ConfigKey.DISCOVERY)).isEqualTo(DiscoveryMode.AUTO);
        assertThat(c.get(ConfigKey.REFRESH_INTERVAL)).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.netLaunchArgs()).isEmpty();
        assertThat(c.get(ConfigKey.SCOPE_ENABLED)).isTrue();
        assertThat(c.get(ConfigKey.SERVICE_TOKEN)).isNull();
        assertThat(c.get(ConfigKey.NET_BIN)).isEqualTo(Path.of("/usr/local/bin/nholuongut"));
        assertThat(c.get(ConfigKey.SCOPE_BIN)).isEqualTo(Path.of("/usr/local/bin/scope"));
        assertThat(c.get(ConfigKey.STATE_DIR)).isEqualTo(Path.of("/var/lib/nholuongut"));
        assertThat(c.get(ConfigKey.IMDS_V1_FALLBACK)).isFalse();
        assertThat(warningLines()).isEmpty();
    }

    @Test
    void load_eachLayerOverridesTheOneBelow() throws IOException {
        write("nholuongut.config", "PEER_GROUP_NAME=file1\nDISCOVERY=tag\nREFRESH_INTERVAL=30s\nSCOPE_ENABLED=false\n");
        write("scope.config", "PEER_GROUP_NAME=file2\nDISCOVERY=asg\nREFRESH_INTERVAL=45s\n");
        Map<String, String> env = Map.of("NHOLUONGUT_PEER_GROUP_NAME", "env", "NHOLUONGUT_DISCOVERY", "auto");
        Map<ConfigKey<?>, ConfigValue> flags = new LinkedHashMap<>();
        flags.put(ConfigKey.PEER_GROUP_NAME, new ConfigValue("flag", "--peer-group-name"));

        AgentConfig c = load(env, flags);

        assertThat(c.get(ConfigKey.PEER_GROUP_NAME)).isEqualTo("flag");
        assertThat(c.get(ConfigKey.DISCOVERY)).isEqualTo(DiscoveryMode.AUTO);
        assertThat(c.get(ConfigKey.REFRESH_INTERVAL)).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.get(ConfigKey.SCOPE_ENABLED)).isFalse();
    }

    @Test
    void load_laterLineWins_soUserDataCanAppend() throws IOException {
        write("scope.config", "SERVICE_TOKEN=old\n# appended by User Data:\nSERVICE_TOKEN=\"new-token\"\n");
        Files.setPosixFilePermissions(dir.resolve("scope.config"), PosixFilePermissions.fromString("rw-------"));

        AgentConfig c = load();

        assertThat(c.get(ConfigKey.SERVICE_TOKEN)).isEqualTo("new-token");
        assertThat(c.scopeCloudMode()).isTrue();
        assertThat(c.toString()).doesNotContain("new-token").contains("****");
        assertThat(warningLines()).isEmpty();
    }

    @Test
    void load_commentsBlankLinesQuotesAndExport_areUnderstood() throws IOException {
        write("nholuongut.config", "\n   # comment\n\nexport PEER_GROUP_TAG='team'\n"
                + "NET_LAUNCH_ARGS=\"--plugin=false --hostname-from-label com.amazonaws.ecs.container-name\"\n"
                + "  SCOPE_LAUNCH_ARGS = --weave=false '--probe.docker=true x'  \n");

        AgentConfig c = load();

        assertThat(c.get(ConfigKey.PEER_GROUP_TAG)).isEqualTo("team");
        assertThat(c.netLaunchArgs())
                .containsExactly("--plugin=false", "--hostname-from-label", "com.amazonaws.ecs.container-name");
        assertThat(c.scopeLaunchArgs()).containsExactly("--weave=false", "--probe.docker=true x");
    }

    @Test
    void load_trailingComments_areDroppedAsAShellWould_butNotInsideQuotesOrWords() throws IOException {
        write("nholuongut.config", "SCOPE_ENABLED=false   # no Scope here\n"
                + "PEER_GROUP_NAME=\"team #1\" # quoted: the # is data\n"
                + "PEER_GROUP_TAG=ns#tag\n"
                + "NET_LAUNCH_ARGS=\"--a\" \"--b c\" # two words\n"
                + "SCOPE_LAUNCH_ARGS=--x=\"q \\\" #r\" a\\ #b # comment\n");

        AgentConfig c = load();

        assertThat(c.get(ConfigKey.SCOPE_ENABLED)).isFalse();
        assertThat(c.get(ConfigKey.PEER_GROUP_NAME)).isEqualTo("team #1");
        assertThat(c.get(ConfigKey.PEER_GROUP_TAG)).isEqualTo("ns#tag");
        assertThat(c.netLaunchArgs()).as("two quoted words, not one").containsExactly("--a", "--b c");
        assertThat(c.scopeLaunchArgs()).as("escaped quotes and # stay").containsExactly("--x=q \" #r", "a #b");
    }

    @Test
    void load_warningsAreShownEvenWhenAnErrorFollows() throws IOException {
        write("nholuongut.config", "REFRESH_INTERVL=30s\nREFRESH_INTERVAL=0s\n");

        assertThatThrownBy(this::load).hasMessageContaining("REFRESH_INTERVAL");
        assertThat(warningLines()).anyMatch(w -> w.contains("unknown key REFRESH_INTERVL"));
    }

    @Test
    void load_unknownKey_isAWarningNamingFileAndLine() throws IOException {
        write("nholuongut.config", "PEERGROUP=blue\n");

        AgentConfig c = load(Map.of("NHOLUONGUT_COLOUR", "red"), Map.of());

        assertThat(c.get(ConfigKey.PEER_GROUP_NAME)).isNull();
        assertThat(warningLines()).containsExactly(
                dir.resolve("nholuongut.config") + " line 1: unknown key PEERGROUP (ignored)",
                "environment NHOLUONGUT_COLOUR: unknown key COLOUR (ignored)");
    }

    @Test
    void load_aSecretWhereAKeyShouldBe_isNeverEchoed() throws IOException {
        // A base64 password pasted without its key: read as an unknown "key", or as a line that is no KEY=VALUE.
        write("nholuongut.config", "c2VjcmV0cGFzcw=\n");
        write("scope.config", "");

        load(Map.of("NHOLUONGUT_c2VjcmV0", "x"), Map.of());

        assertThat(warningLines()).containsExactly(
                dir.resolve("nholuongut.config") + " line 1: unknown key (not shown: not an upper-case name, it may be"
                        + " a value) (ignored)",
                "environment NHOLUONGUT_...: unknown key (not shown: not an upper-case name, it may be a value) (ignored)");

        write("nholuongut.config", "c2Vj+cmV0/cGFzcw==\n");
        assertThatThrownBy(this::load).isInstanceOf(ConfigException.class)
                .hasMessageContaining("line 1: expected KEY=VALUE, got a line whose text before '=' is not a key name")
                .message().doesNotContain("c2Vj");
    }

    @Test
    void load_badValue_failsNamingFileLineAndKey() throws IOException {
        write("nholuongut.config", "# ok\nSCOPE_ENABLED=true\nSCOPE_ENABLED=maybe\n");

        assertThatThrownBy(this::load).isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: " + dir.resolve("nholuongut.config")
                        + " line 3: SCOPE_ENABLED: 'maybe' is not true or false")
                .extracting(e -> ((ConfigException) e).exitCode()).isEqualTo(78);
    }

    @Test
    void load_lineWithoutEquals_failsNamingFileAndLine() throws IOException {
        write("scope.config", "SERVICE_TOKEN abc\n");

        assertThatThrownBy(this::load).isInstanceOf(ConfigException.class)
                .hasMessageContaining(dir.resolve("scope.config") + " line 1").hasMessageContaining("KEY=VALUE");
    }

    @Test
    void load_badEnvironmentValue_namesTheVariable() {
        assertThatThrownBy(() -> load(Map.of("NHOLUONGUT_DISCOVERY", "dns"), Map.of()))
                .hasMessageContaining("environment NHOLUONGUT_DISCOVERY: DISCOVERY");
    }

    @Test
    void load_refreshInterval_acceptsUnitsAndBoundsIt() throws IOException {
        write("nholuongut.config", "REFRESH_INTERVAL=1500ms\n");
        assertThat(load().get(ConfigKey.REFRESH_INTERVAL)).isEqualTo(Duration.ofMillis(1500));
        assertThat(warningLines()).anyMatch(w -> w.contains("below 10s"));

        write("nholuongut.config", "REFRESH_INTERVAL=5m\n");
        assertThat(load().get(ConfigKey.REFRESH_INTERVAL)).isEqualTo(Duration.ofMinutes(5));

        write("nholuongut.config", "REFRESH_INTERVAL=500ms\n");
        assertThatThrownBy(this::load).hasMessageContaining("at least 1s");

        write("nholuongut.config", "REFRESH_INTERVAL=60\n");
        assertThatThrownBy(this::load).hasMessageContaining("REFRESH_INTERVAL").hasMessageContaining("'60'");
    }

    @Test
    void load_readyTimeout_defaultsTo80sAndIsBounded() throws IOException {
        assertThat(load().get(ConfigKey.READY_TIMEOUT)).isEqualTo(Duration.ofSeconds(80));

        write("nholuongut.config", "READY_TIMEOUT=45s\n");
        assertThat(load().get(ConfigKey.READY_TIMEOUT)).isEqualTo(Duration.ofSeconds(45));

        write("nholuongut.config", "# boot\nREADY_TIMEOUT=0s\n");
        assertThatThrownBy(this::load).hasMessageContaining("nholuongut.config line 2")
                .hasMessageContaining("READY_TIMEOUT").hasMessageContaining("at least 1s")
                .extracting(e -> ((ConfigException) e).exitCode()).isEqualTo(78);

        write("nholuongut.config", "READY_TIMEOUT=soon\n");
        assertThatThrownBy(this::load).hasMessageContaining("READY_TIMEOUT").hasMessageContaining("'soon'");
    }

    @Test
    void load_discoverTimeout_defaultsTo120sAndIsValidatedLikeTheOthers() throws IOException {
        assertThat(load().get(ConfigKey.DISCOVER_TIMEOUT)).isEqualTo(Duration.ofSeconds(120));

        write("nholuongut.config", "DISCOVER_TIMEOUT=5m\n");
        assertThat(load().get(ConfigKey.DISCOVER_TIMEOUT)).isEqualTo(Duration.ofMinutes(5));

        write("nholuongut.config", "DISCOVER_TIMEOUT=500ms\n");
        assertThatThrownBy(this::load).hasMessageContaining("nholuongut.config line 1")
                .hasMessageContaining("DISCOVER_TIMEOUT").hasMessageContaining("at least 1s")
                .extracting(e -> ((ConfigException) e).exitCode()).isEqualTo(78);

        write("nholuongut.config", "DISCOVER_TIMEOUT=forever\n");
        assertThatThrownBy(this::load).hasMessageContaining("DISCOVER_TIMEOUT").hasMessageContaining("'forever'");
    }

    @Test
    void load_scopeApps_isAPositiveCountOrAll_default3() throws IOException {
        assertThat(load().get(ConfigKey.SCOPE_APPS)).isEqualTo(3);

        write("scope.config", "SCOPE_APPS=5\n");
        assertThat(load().get(ConfigKey.SCOPE_APPS)).isEqualTo(5);
        write("scope.config", "SCOPE_APPS=ALL\n");
        assertThat(load().get(ConfigKey.SCOPE_APPS)).isEqualTo(ScopeApps.ALL);

        for (String bad : List.of("0", "-1", "three", "2.5", "+2", "99999999999")) {
            write("scope.config", "# apps\nSCOPE_APPS=" + bad + "\n");
            assertThatThrownBy(this::load).as(bad).hasMessageContaining("scope.config line 2")
                    .hasMessageContaining("SCOPE_APPS").hasMessageContaining("not a positive number of members or all")
                    .extracting(e -> ((ConfigException) e).exitCode()).isEqualTo(78);
        }
    }

    @Test
    void load_peers_acceptIpLiteralsSeparatedBySpacesOrCommas() throws IOException {
        write("nholuongut.config", "PEERS=10.0.0.1, 10.0.0.2,fd00::2  192.168.1.1\n");

        assertThat(load().staticPeers()).containsExactly("10.0.0.1", "10.0.0.2", "fd00::2", "192.168.1.1");
    }

    @Test
    void load_peersWithShellTextOrNames_areRejected() throws IOException {
        for (String bad : List.of("10.0.0.1;reboot", "`id`", "host.example", "10.0.0.256", "10.0.0.1/24",
                "fe80::1%eth0", "010.0.0.1")) {
            write("nholuongut.config", "PEERS=10.0.0.9 " + bad + "\n");
            assertThatThrownBy(this::load).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("line 1: PEERS");
        }
    }

    @Test
    void load_tokenInAFileOthersCanRead_warnsWithoutShowingIt() throws IOException {
        write("scope.config", "SERVICE_TOKEN=s3cret\n");
        Files.setPosixFilePermissions(dir.resolve("scope.config"), PosixFilePermissions.fromString("rw-r--r--"));

        load();

        assertThat(warningLines()).singleElement().asString()
                .contains("readable by group or others").doesNotContain("s3cret");
    }

    @Test
    void load_unbalancedQuoteInLaunchArgs_isInvalid() throws IOException {
        write("nholuongut.config", "NET_LAUNCH_ARGS=--name 'oops\n");

        assertThatThrownBy(this::load).hasMessageContaining("NET_LAUNCH_ARGS").hasMessageContaining("quote");
    }

    @Test
    void load_relativeToolPath_isInvalid() {
        assertThatThrownBy(() -> load(Map.of("NHOLUONGUT_NET_BIN", "bin/nholuongut"), Map.of()))
                .hasMessageContaining("NET_BIN").hasMessageContaining("absolute");
    }

    @Test
    void load_emptyValue_meansTheDefault() throws IOException {
        write("nholuongut.config", "REFRESH_INTERVAL=30s\n");
        write("scope.config", "REFRESH_INTERVAL=\n");

        assertThat(load().get(ConfigKey.REFRESH_INTERVAL)).isEqualTo(Duration.ofSeconds(60));
    }
}
