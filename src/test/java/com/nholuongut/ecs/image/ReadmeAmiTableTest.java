package com.nholuongut.ecs.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's AMI table parses the way the tools that read it parse it: the first {@code | Region | AMI |}
 * header outside code blocks, a {@code |---|---|} separator, then {@code | <region> | ami-<8 or 17 hex> |}
 * rows, one per region, up to the first line that is not a table row.
 */
class ReadmeAmiTableTest {

    static final Pattern HEADER = Pattern.compile("\\|\\s*Region\\s*\\|\\s*AMI\\s*\\|\\s*");
    static final Pattern SEPARATOR = Pattern.compile("\\|\\s*:?-+:?\\s*\\|\\s*:?-+:?\\s*\\|\\s*");
    static final Pattern ROW = Pattern.compile(
            "\\| ([a-z]{2}(?:-[a-z]+)+-\\d+) +\\| (ami-(?:[0-9a-f]{8}|[0-9a-f]{17})) +\\|");

    /** A parsed row. */
    record Row(String region, String ami) {
    }

    /** The table's rows; fails the test if the README has no table or a row breaks the rule. */
    static List<Row> parse(List<String> lines) {
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.stripLeading().startsWith("```") || line.stripLeading().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            if (fenced || !HEADER.matcher(line).matches()) {
                continue;
            }
            assertThat(i + 1).as("a separator line after the header").isLessThan(lines.size());
            assertThat(lines.get(i + 1)).as("separator line").matches(SEPARATOR);
            List<Row> rows = new ArrayList<>();
            for (int j = i + 2; j < lines.size() && lines.get(j).startsWith("|"); j++) {
                Matcher m = ROW.matcher(lines.get(j));
                assertThat(m.matches()).as("README line %d, '%s', is not '| <region> | ami-<hex> |'", j + 1,
                        lines.get(j)).isTrue();
                rows.add(new Row(m.group(1), m.group(2)));
            }
            return rows;
        }
        throw new AssertionError("the README has no '| Region | AMI |' table");
    }

    @Test
    void readme_amiTable_parsesWithTheFormatRule() throws IOException {
        List<Row> rows = parse(Files.readAllLines(Script.repoFile("README.md")));

        Set<String> regions = new HashSet<>();
        for (Row row : rows) {
            assertThat(regions.add(row.region())).as("one row per region: %s", row.region()).isTrue();
        }
    }

    @Test
    void readme_amiTable_isMarkedAsMachineParsed() throws IOException {
        String readme = Files.readString(Script.repoFile("README.md"));

        int table = readme.indexOf("| Region | AMI |\n|---|---|\n");
        assertThat(table).isPositive();
        assertThat(readme.substring(Math.max(0, table - 300), table)).contains("parsed by machine");
    }

    @Test
    void parse_theOriginalImagesTable_isAccepted() {
        List<Row> rows = parse(List.of("| Region         | AMI          |", "|----------------|--------------|",
                "| us-east-1      | ami-c9673fac |", "| ca-central-1   | ami-0fedcba9876543210 |", ""));

        assertThat(rows).containsExactly(new Row("us-east-1", "ami-c9673fac"),
                new Row("ca-central-1", "ami-0fedcba9876543210"));
    }

    @Test
    void parse_rowWithAnInventedId_isRejected() {
        List<String> lines = List.of("| Region | AMI |", "|---|---|", "| us-east-1 | ami-XXXXXXXX |");

        assertThatThrownBy(() -> parse(lines)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("ami-XXXXXXXX");
    }
}
