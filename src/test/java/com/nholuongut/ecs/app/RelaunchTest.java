package com.nholuongut.ecs.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.config.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which launches of the jar run again as a tuned child JVM, and with what command line. */
class RelaunchTest {

    @TempDir
    Path dir;

    static final Path HOME = Path.of("/usr/lib/jvm/some-jdk");

    Relaunch.Jvm jvm(int release, Map<String, String> env, String... commandLine) {
        return new Relaunch.Jvm(List.of(commandLine), env, HOME, release);
    }

    String jar() {
        return dir.resolve("agent.jar").toString();
    }

    void beside(String name) throws IOException {
        Files.writeString(dir.resolve(name), "archive");
    }

    @Test
    void plainDiscover_withAnAppCdsArchiveBesideTheJar_relaunchesWithTheTunedFlagsAndIt() throws IOException {
        beside("agent.jsa");

        var child = Relaunch.command(jvm(17, Map.of(), "java", "-jar", jar(), "discover", "-o", "json"),
                new String[] {"discover", "-o", "json"});

        List<String> expected = new ArrayList<>(List.of(HOME.resolve("bin/java").toString()));
        expected.addAll(Relaunch.FLAGS);
        expected.addAll(List.of("-XX:SharedArchiveFile=" + dir.resolve("agent.jsa"), "-jar", jar(),
                "discover", "-o", "json"));
        assertThat(child).contains(expected);
    }

    @Test
    void plainDiscover_onJava25_takesTheAotCache_andOnJava17_theAppCdsArchive() throws IOException {
        beside("agent.aot");
        beside("agent.jsa");
        String[] args = {"discover"};

        var on25 = Relaunch.command(jvm(25, Map.of(), "java", "-jar", jar(), "discover"), args);
        var on17 = Relaunch.command(jvm(17, Map.of(), "java", "-jar", jar(), "discover"), args);

        assertThat(on25).hasValueSatisfying(c -> assertThat(c).contains("-XX:AOTCache=" + dir.resolve("agent.aot"))
                .noneMatch(a -> a.startsWith("-XX:SharedArchiveFile")));
        assertThat(on17).hasValueSatisfying(c -> assertThat(c)
                .contains("-XX:SharedArchiveFile=" + dir.resolve("agent.jsa"))
                .noneMatch(a -> a.startsWith("-XX:AOTCache")));
    }

    @Test
    void plainDiscover_withOnlyAnAotCache_onJava17_runsHere() throws IOException {
        beside("agent.aot");

        assertThat(Relaunch.command(jvm(17, Map.of(), "java", "-jar", jar(), "discover"),
                new String[] {"discover"})).isEmpty();
    }

    @Test
    void plainDiscover_withNoArchiveBesideTheJar_runsHere() {
        assertThat(Relaunch.command(jvm(25, Map.of(), "java", "-jar", jar(), "discover"),
                new String[] {"discover"})).isEmpty();
    }

    @Test
    void aLaunchSomeoneChose_isLeftAsItIs() throws IOException {
        beside("agent.jsa");
        String[] args = {"discover"};

        assertThat(Relaunch.command(jvm(17, Map.of(), "java", "-Xmx64m", "-jar", jar(), "discover"), args))
                .as("a JVM option").isEmpty();
        assertThat(Relaunch.command(jvm(17, Map.of(), "java", "-cp", jar(), "com.nholuongut.ecs.app.Main",
                "discover"), args)).as("no -jar").isEmpty();
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
            assertThat(Relaunch.command(jvm(17, Map.of(variable, "-Xshare:off"), "java", "-jar", jar(), "discover"),
                    args)).as(variable).isEmpty();
        }
    }

    @Test
    void onlyDiscover_isRelaunched_neverTheDaemonNorTheOthers() throws IOException {
        beside("agent.jsa");

        for (String command : List.of("run", "doctor", "--help", "--version")) {
            assertThat(Relaunch.command(jvm(17, Map.of(), "java", "-jar", jar(), command), new String[] {command}))
                    .as(command).isEmpty();
        }
        assertThat(Relaunch.command(jvm(17, Map.of(), "java", "-jar", jar()), new String[0])).isEmpty();
        assertThat(Relaunch.command(jvm(17, Map.of(), "java", "-jar", jar(), "--peer-group-name", "discover", "run"),
                new String[] {"--peer-group-name", "discover", "run"})).as("discover as a value, then run").isEmpty();
    }

    @Test
    void anArgumentFile_orAnArgumentNamingASecret_runsHere() throws IOException {
        beside("agent.jsa");

        for (List<String> args : List.of(List.of("@more", "discover"), List.of("discover", "@more"),
                List.of("discover", "--set", "SERVICE_TOKEN=abc"), List.of("--set", "NET_PASSWORD=abc", "discover"),
                List.of("discover", "--set", "SCOPE_LAUNCH_ARGS=--service-token=abc"))) {
            List<String> argv = new ArrayList<>(List.of("java", "-jar", jar()));
            argv.addAll(args);
            assertThat(Relaunch.command(jvm(17, Map.of(), argv.toArray(String[]::new)), args.toArray(String[]::new)))
                    .as(String.join(" ", args)).isEmpty();
        }
    }

    @Test
    void everySecretKeyOfTheConfiguration_keepsTheLaunchHere() throws IOException {
        beside("agent.jsa");
        List<ConfigKey<?>> secrets = ConfigKey.all().stream().filter(ConfigKey::secret).toList();
        assertThat(secrets).isNotEmpty();

        for (ConfigKey<?> key : secrets) {
            String[] args = {"discover", "--set", key.name() + "=abc"};
            assertThat(Relaunch.command(jvm(17, Map.of(), "java", "-jar", jar(), args[0], args[1], args[2]), args))
                    .as(key.name()).isEmpty();
        }
    }

    @Test
    void optionsBeforeTheCommandsName_stillRelaunch() throws IOException {
        beside("agent.jsa");
        String[] args = {"-v", "--peers", "10.0.0.1", "discover"};

        assertThat(Relaunch.command(jvm(17, Map.of(), "java", "-jar", jar(), "-v", "--peers", "10.0.0.1", "discover"),
                args)).hasValueSatisfying(c -> assertThat(c).endsWith("-jar", jar(), "-v", "--peers", "10.0.0.1",
                        "discover"));
    }

    @Test
    void aCommandLineThatIsNotThisRun_orNoneAtAll_runsHere() throws IOException {
        beside("agent.jsa");

        assertThat(Relaunch.command(jvm(17, Map.of(), "java", "-jar", jar(), "discover", "-v"),
                new String[] {"discover"})).as("arguments that differ").isEmpty();
        assertThat(Relaunch.command(jvm(17, Map.of()), new String[] {"discover"})).as("no /proc").isEmpty();
    }

    @Test
    void flags_areTheDiscoverBenchsTunedFlags() throws IOException {
        String bench = Files.readString(Path.of("bench/discover.sh"));
        Matcher m = Pattern.compile("TUNED_FLAGS=\\$\\{TUNED_FLAGS:-\"([^\"]*)\"}").matcher(bench);
        assertThat(m.find()).as("TUNED_FLAGS default in bench/discover.sh").isTrue();

        List<String> tuned = new ArrayList<>(Arrays.asList(m.group(1).split(" ")));
        tuned.remove("-Xshare:auto"); // the default, and an AOT cache refuses it

        assertThat(Relaunch.FLAGS).containsExactlyElementsOf(tuned);
    }
}
