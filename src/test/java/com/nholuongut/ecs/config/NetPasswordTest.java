package com.nholuongut.ecs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.nholuongut.ecs.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** NET_PASSWORD, NET_PASSWORD_FILE and a --password left in NET_LAUNCH_ARGS: read, checked, never shown. */
class NetPasswordTest {

    static final String SECRET = "s3cret-PW-" + System.nanoTime();

    @TempDir
    Path dir;
    @RegisterExtension
    final LogCapture warnings = LogCapture.of(ConfigLoader.class);

    List<String> warningLines() {
        return warnings.lines();
    }

    AgentConfig load(String config) throws IOException {
        Files.writeString(dir.resolve("nholuongut.config"), config);
        Files.setPosixFilePermissions(dir.resolve("nholuongut.config"), PosixFilePermissions.fromString("rw-------"));
        return ConfigLoader.load(dir, Map.of(), Map.of());
    }

    Path passwordFile(String text, String perms) throws IOException {
        Path file = dir.resolve("net.password");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
        return file;
    }

    static boolean runningAsRoot() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void password_unsetByDefault_andAnEmptyValueMeansUnset() throws IOException {
        assertThat(load("").netPassword()).isNull();
        assertThat(load("NET_PASSWORD=\n").netPassword()).isNull();
    }

    @Test
    void password_fromTheKey_isKeptButNeverShown() throws IOException {
        AgentConfig c = load("NET_PASSWORD=" + SECRET + "\n");

        assertThat(c.netPassword()).isEqualTo(SECRET);
        assertThat(c.netPasswordFrom()).startsWith("NET_PASSWORD (").doesNotContain(SECRET);
        assertThat(c.toString()).doesNotContain(SECRET).contains("netPassword=****");
        assertThat(c.mask("launch with " + SECRET + " now")).isEqualTo("launch with **** now");
    }

    @Test
    void password_fromAFile_isItsFirstLine() throws IOException {
        Path file = passwordFile(SECRET + "\nsecond line\n", "rw-------");

        AgentConfig c = load("NET_PASSWORD_FILE=" + file + "\n");

        assertThat(c.netPassword()).isEqualTo(SECRET);
        assertThat(c.netPasswordFrom()).isEqualTo("NET_PASSWORD_FILE " + file);
        if (runningAsRoot()) {
            assertThat(warningLines()).as("root-only file").isEmpty();
        }
    }

    @Test
    void password_fileReadableByOthers_isAWarning() throws IOException {
        Path file = passwordFile(SECRET + "\n", "rw-r--r--");

        load("NET_PASSWORD_FILE=" + file + "\n");

        assertThat(warningLines()).anyMatch(w -> w.contains("NET_PASSWORD_FILE " + file + " can be read by others"))
                .noneMatch(w -> w.contains(SECRET));
    }

    @Test
    void password_linkToAFileSomeoneElseOwns_isAWarning() throws IOException {
        Path file = passwordFile(SECRET + "\n", "rw-------");
        if (runningAsRoot()) {
            // Its owner reads it; the link stays root's (the case the link's own owner hid). As another user,
            // both are that user's: the warning is due anyway.
            Files.setAttribute(file, "unix:uid", 1000);
        }
        Path link = Files.createSymbolicLink(dir.resolve("net.password.link"), file);

        load("NET_PASSWORD_FILE=" + link + "\n");

        assertThat(warningLines()).anyMatch(w -> w.contains("NET_PASSWORD_FILE " + link + " can be read by others"));
    }

    @Test
    void password_fileMissingUnreadableOrEmpty_isExit78NamingTheFile() throws IOException {
        Path missing = dir.resolve("nope");
        Path empty = passwordFile("\n" + SECRET + "\n", "rw-------");
        Path directory = Files.createDirectories(dir.resolve("a-directory"));
        for (Path bad : List.of(missing, empty, directory)) {
            Throwable e = catchThrowable(() -> load("# Net\nNET_PASSWORD_FILE=" + bad + "\n"));

            assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("nholuongut.config line 2")
                    .hasMessageContaining("NET_PASSWORD_FILE").hasMessageContaining(bad.toString());
            assertThat(((ConfigException) e).exitCode()).isEqualTo(78);
            assertThat(e.getMessage()).doesNotContain(SECRET);
        }
        assertThatThrownBy(() -> load("NET_PASSWORD_FILE=relative/path\n")).hasMessageContaining("absolute");
    }

    @Test
    void password_keyAndFileBoth_isExit78() throws IOException {
        Path file = passwordFile(SECRET + "\n", "rw-------");

        assertThatThrownBy(() -> load("NET_PASSWORD=" + SECRET + "\nNET_PASSWORD_FILE=" + file + "\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("set one of them")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(SECRET));
    }

    @Test
    void password_inNetLaunchArgs_isTakenOutOfTheWordsWithOneWarning() throws IOException {
        for (String args : List.of("--plugin=false --password " + SECRET + " --no-dns",
                "--plugin=false --password=" + SECRET + " --no-dns", "--plugin=false -password '" + SECRET + "' --no-dns")) {
            warnings.clear();

            AgentConfig c = load("NET_LAUNCH_ARGS=" + args + "\n");

            assertThat(c.netLaunchArgs()).containsExactly("--plugin=false", "--no-dns");
            assertThat(c.netPassword()).isEqualTo(SECRET);
            assertThat(warningLines()).hasSize(1).allMatch(w -> w.contains("NET_LAUNCH_ARGS holds --password")
                    && w.contains("NET_PASSWORD_FILE") && !w.contains(SECRET));
            assertThat(c.toString()).doesNotContain(SECRET);
        }
    }

    @Test
    void password_inNetLaunchArgsWithoutAValue_isExit78() {
        assertThatThrownBy(() -> load("NET_LAUNCH_ARGS=--plugin=false --password\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("NET_LAUNCH_ARGS")
                .hasMessageContaining("--password without a value");
    }

    @Test
    void password_inNetLaunchArgsAndTheKey_theKeyWins() throws IOException {
        AgentConfig c = load("NET_PASSWORD=" + SECRET + "\nNET_LAUNCH_ARGS=--password other" + SECRET + "\n");

        assertThat(c.netPassword()).isEqualTo(SECRET);
        assertThat(c.netLaunchArgs()).isEmpty();
        assertThat(warningLines()).anyMatch(w -> w.contains("ignored")).noneMatch(w -> w.contains(SECRET));
    }

    @Test
    void scopeTokenInScopeLaunchArgs_isMaskedLikeTheOtherSecrets() throws IOException {
        AgentConfig c = load("SCOPE_LAUNCH_ARGS=--service-token=" + SECRET + " --probe.docker=true\n");

        assertThat(c.toString()).doesNotContain(SECRET).contains("--service-token=****");
        assertThat(c.mask("ran scope launch --service-token=" + SECRET + " --no-app")).doesNotContain(SECRET);
        assertThat(c.mask("ran scope launch --service-token " + SECRET)).doesNotContain(SECRET);
    }

    @Test
    void password_inAConfigFileReadableByOthers_isAWarning() throws IOException {
        Files.writeString(dir.resolve("scope.config"), "NET_PASSWORD=" + SECRET + "\n");
        Files.setPosixFilePermissions(dir.resolve("scope.config"), PosixFilePermissions.fromString("rw-r--r--"));

        ConfigLoader.load(dir, Map.of(), Map.of());

        assertThat(warningLines()).anyMatch(w -> w.contains("holds NET_PASSWORD and is readable by group or others"));
    }
}
