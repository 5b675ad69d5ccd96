package com.nholuongut.ecs.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.image.Script.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code packer/ami-table.sh}, the README table rewrite of the AMI build, run as a process over sample
 * READMEs and Packer manifests (src/test/resources/image/ami-table/); expected READMEs are written by hand.
 */
class AmiTableScriptTest {

    static final Path SCRIPT = Script.repoFile("packer/ami-table.sh");
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    static Path sample(String name) {
        return Script.fixture("ami-table/" + name);
    }

    Result run(String... args) throws IOException, InterruptedException {
        return Script.run(work, Map.of(), TIMEOUT, SCRIPT, args);
    }

    /** Runs the script over a sample README and sample manifests; stdout is the new README. */
    Result rewrite(String readme, String... manifests) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(sample(readme).toString()));
        for (String m : manifests) {
            args.add(sample(m).toString());
        }
        return run(args.toArray(String[]::new));
    }

    static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    Path write(String name, String content) throws IOException {
        return Files.writeString(work.resolve(name), content, StandardCharsets.UTF_8);
    }

    @Test
    void rewrite_failedRegion_keepsOldRow() throws Exception {
        // ap-northeast-1 is in the table but in no manifest: its build failed.
        Result r = rewrite("readme-around.md", "us-east-1.json", "eu-west-1.json", "ca-central-1.json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(read(sample("expected-around-built.md")));
        assertThat(r.out()).contains("| ap-northeast-1 | ami-89abcdef |\n");
    }

    @Test
    void rewrite_otherTablesCodeBlocksAndText_keptByteForByte() throws Exception {
        Result r = rewrite("readme-around.md", "us-east-1.json");

        String before = read(sample("readme-around.md"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        // Exactly one line differs: the us-east-1 row of the first real AMI table.
        List<String> old = before.lines().toList();
        List<String> now = r.out().lines().toList();
        assertThat(now).hasSameSizeAs(old);
        List<Integer> changed = new ArrayList<>();
        for (int i = 0; i < old.size(); i++) {
            if (!old.get(i).equals(now.get(i))) {
                changed.add(i);
            }
        }
        assertThat(changed).hasSize(1);
        assertThat(now.get(changed.get(0))).isEqualTo("| us-east-1 | ami-0a1b2c3d4e5f60718 |");
        assertThat(old.get(changed.get(0) - 4)).isEqualTo("## AMIs");
    }

    @Test
    void rewrite_newRegion_appendsRowAtTheEndOfTheTable() throws Exception {
        Result r = rewrite("readme-around.md", "ca-central-1.json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("| ap-northeast-1 | ami-89abcdef |\n| ca-central-1 | ami-0fedcba9876543210 |\n"
                + "\nText right after the table.");
    }

    @Test
    void rewrite_alignedTable_padsRowsToTheHeaderWidths() throws Exception {
        Result r = rewrite("readme-aligned.md", "us-east-1.json", "ca-central-1.json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(read(sample("expected-aligned.md")));
    }

    @Test
    void rewrite_emptyTable_addsRowsInManifestOrder() throws Exception {
        Result r = rewrite("readme-empty-table.md", "multi-region.json", "us-east-1.json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(read(sample("expected-empty-table.md")));
    }

    @Test
    void rewrite_regionBuiltTwiceInOneManifest_lastBuildWins() throws Exception {
        Result r = rewrite("readme-around.md", "us-east-1-twice.json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("| us-east-1 | ami-02222222222222222 |\n")
                .doesNotContain("ami-01111111111111111");
    }

    @Test
    void rewrite_invalidArtifacts_skippedWithAWarningEach() throws Exception {
        Result r = rewrite("readme-empty-table.md", "invalid.json");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("|---|---|\n| eu-central-1 | ami-0cccccccccccccccc |\n\nNo AMI");
        assertThat(r.err().lines()).hasSize(3).allMatch(l -> l.contains("ignoring artifact"));
        assertThat(r.err()).contains("us-east-1:snap-0123456789abcdef0", "not_a_region:ami-12345678",
                "us-west-1:ami-123");
    }

    @Test
    void rewrite_readmeWithoutAmiTable_exits1AndPrintsNothing() throws Exception {
        Path readme = write("README.md", "# No table\n\n| Region | Size |\n|---|---|\n| us-east-1 | 1 |\n");

        Result r = run(readme.toString(), sample("us-east-1.json").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("has no '| Region | AMI |' table");
    }

    @Test
    void rewrite_headerWithoutSeparator_isNoTable() throws Exception {
        Path readme = write("README.md", "| Region | AMI |\n| us-east-1 | ami-0123abcd |\n");

        Result r = run(readme.toString(), sample("us-east-1.json").toString());

        assertThat(r.exitCode()).isEqualTo(1);
    }

    @Test
    void rewrite_inPlace_changesOnlyTheTableAndKeepsTheFileMode() throws Exception {
        Path readme = Files.copy(sample("readme-around.md"), work.resolve("README.md"));
        Files.setPosixFilePermissions(readme, PosixFilePermissions.fromString("rw-r-----"));

        Result r = run("-i", readme.toString(), sample("us-east-1.json").toString(),
                sample("eu-west-1.json").toString(), sample("ca-central-1.json").toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(read(readme)).isEqualTo(read(sample("expected-around-built.md")));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(readme))).isEqualTo("rw-r-----");
        try (var files = Files.list(work)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("README.md");
        }
    }

    @Test
    void rewrite_inPlaceWithoutTable_leavesTheReadmeAlone() throws Exception {
        String text = "# Nothing here\n";
        Path readme = write("README.md", text);

        Result r = run("-i", readme.toString(), sample("us-east-1.json").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(read(readme)).isEqualTo(text);
    }

    @Test
    void rewrite_noFinalNewline_staysWithout() throws Exception {
        Path readme = write("README.md", "| Region | AMI |\n|---|---|\n| us-east-1 | ami-0123abcd |\n\nend");

        Result r = run(readme.toString(), sample("us-east-1.json").toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("| Region | AMI |\n|---|---|\n| us-east-1 | ami-0a1b2c3d4e5f60718 |\n\nend");
    }

    @Test
    void rewrite_tableAtTheEndOfTheFile_appendsThere() throws Exception {
        Path readme = write("README.md", "x\n\n| Region | AMI |\n|---|---|\n| us-east-1 | ami-0123abcd |\n");

        Result r = run(readme.toString(), sample("ca-central-1.json").toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(
                "x\n\n| Region | AMI |\n|---|---|\n| us-east-1 | ami-0123abcd |\n| ca-central-1 | ami-0fedcba9876543210 |\n");
    }

    @Test
    void rewrite_crlfReadme_keepsItsLineEndings() throws Exception {
        Path readme = write("README.md", "a\r\n| Region | AMI |\r\n|---|---|\r\n| us-east-1 | ami-0123abcd |\r\n\r\nb\r\n");

        Result r = run(readme.toString(), sample("us-east-1.json").toString(), sample("eu-west-1.json").toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("a\r\n| Region | AMI |\r\n|---|---|\r\n| us-east-1 | ami-0a1b2c3d4e5f60718 |\r\n"
                + "| eu-west-1 | ami-0123456789abcdef0 |\r\n\r\nb\r\n");
    }

    @Test
    void rewrite_theRepositoryReadme_onlyItsTableChanges() throws Exception {
        Path readme = Script.repoFile("README.md");
        String before = read(readme);

        Result r = run(readme.toString(), sample("us-east-1.json").toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(read(readme)).as("without -i the README is not touched").isEqualTo(before);
        // Expected: the us-east-1 row replaced, or added at the end of the table's rows.
        List<String> lines = new ArrayList<>(before.lines().toList());
        int header = lines.indexOf("| Region | AMI |");
        assertThat(header).as("the README's AMI table").isPositive();
        assertThat(lines.get(header + 1)).isEqualTo("|---|---|");
        int end = header + 2;
        while (end < lines.size() && lines.get(end).startsWith("|")) {
            end++;
        }
        String row = "| us-east-1 | ami-0a1b2c3d4e5f60718 |";
        int existing = -1;
        for (int i = header + 2; i < end; i++) {
            if (lines.get(i).startsWith("| us-east-1 |")) {
                existing = i;
            }
        }
        if (existing >= 0) {
            lines.set(existing, row);
        } else {
            lines.add(end, row);
        }
        assertThat(r.out()).isEqualTo(String.join("\n", lines) + "\n");
    }

    @Test
    void list_printsRegionAndAmiOncePerRegion() throws Exception {
        Result r = run("--list", sample("us-east-1.json").toString(), sample("multi-region.json").toString(),
                sample("us-east-1-twice.json").toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.outLines()).containsExactly(
                "us-east-1 ami-02222222222222222",
                "us-west-2 ami-0aaaaaaaaaaaaaaaa",
                "ap-southeast-2 ami-0bbbbbbbbbbbbbbbb");
    }

    @Test
    void run_missingManifest_exits2() throws Exception {
        Result r = run(sample("readme-around.md").toString(), work.resolve("nope.json").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("cannot read manifest");
    }

    @Test
    void run_noArguments_printsUsageAndExits2() throws Exception {
        Result r = run();

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("usage:");
    }
}
