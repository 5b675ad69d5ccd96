package com.nholuongut.ecs.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.image.Script.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code packer/scripts/make-cds-archive.sh}'s refusals, each one line naming what is missing and exit 1,
 * before any JVM runs (ImageIT makes a real archive from the unit), and its {@code --exec-start} line.
 */
class MakeCdsArchiveScriptTest {

    static final Path SCRIPT = Script.repoFile("packer/scripts/make-cds-archive.sh");
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void withoutItsTrainingStandIn_refusesNamingIt() throws Exception {
        // The script alone, as after a copy that left training-aws.py and training/ behind.
        Path lonely = Script.installExecutable(SCRIPT, work.resolve("lib"), "make-cds-archive.sh");

        Result r = Script.run(work, Map.of(), TIMEOUT, lonely, Script.repoFile("init/nholuongut-agent.service").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).hasLineCount(1).isEqualTo("make-cds-archive: the training stand-in ("
                + work.resolve("lib/training-aws.py") + ", " + work.resolve("lib/training") + "/) is missing\n");
    }

    @Test
    void aUnitWithoutAnArchiveOption_isRefusedNamingTheOptions() throws Exception {
        Path unit = Files.writeString(work.resolve("agent.service"),
                "[Service]\nExecStart=/usr/bin/java -Xmx96m -jar /usr/local/lib/nholuongut/agent.jar run\n");

        Result r = Script.run(work, Map.of(), TIMEOUT, SCRIPT, unit.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).hasLineCount(1).isEqualTo(
                "make-cds-archive: no -XX:SharedArchiveFile= or -XX:AOTCache= in ExecStart= of " + unit + "\n");
    }

    @Test
    void execStart_printsTheUnitsCommandOnOneLine_asTheBenchReadsIt() throws Exception {
        // Continuation lines joined, a comment among them skipped, the prefix characters dropped; nothing else run.
        Path unit = Files.writeString(work.resolve("agent.service"), "[Service]\n# ExecStart=/bin/false\n"
                + "ExecStart=-/usr/bin/java -Xmx96m \\\n    -XX:AOTCache=/a.aot \\\n# a comment\n    -jar /a.jar run\n");

        Result r = Script.run(work, Map.of(), TIMEOUT, SCRIPT, "--exec-start", unit.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().strip().split("\\s+")).containsExactly("/usr/bin/java", "-Xmx96m", "-XX:AOTCache=/a.aot",
                "-jar", "/a.jar", "run");
    }

    @Test
    void anOptionItDoesNotKnow_orOneAfterTheUnit_isAUsageLine() throws Exception {
        String unit = Script.repoFile("init/nholuongut-agent.service").toString();
        for (String[] args : List.of(new String[] {"-h"}, new String[] {unit, "--exec-start"})) {
            Result r = Script.run(work, Map.of(), TIMEOUT, SCRIPT, args);

            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("make-cds-archive: usage: make-cds-archive.sh [--exec-start] [UNIT_FILE]\n");
        }
    }

    @Test
    void aBadTrainingTimeout_isRefused() throws Exception {
        Result r = Script.run(work, Map.of("TRAINING_TIMEOUT", "soon"), TIMEOUT, SCRIPT,
                Script.repoFile("init/nholuongut-agent.service").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).hasLineCount(1)
                .isEqualTo("make-cds-archive: TRAINING_TIMEOUT must be a positive number of seconds\n");
    }
}
