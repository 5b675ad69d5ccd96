package com.nholuongut.ecs.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The layout the README's Development section describes: one package per concern, no cycles, small files. */
class LayoutTest {

    static final Path MAIN = Path.of("src/main/java/com/nholuongut/ecs");
    static final Pattern IMPORT = Pattern.compile("^import (?:static )?com\\.nholuongut\\.ecs\\.([a-z]+)\\.", Pattern.MULTILINE);
    static final Pattern QUALIFIED = Pattern.compile("[^.\\w](?:java\\.(?:util|nio|io|net)|com\\.nholuongut\\.ecs)\\.[a-z.]*[A-Z]");

    static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    static String packageOf(Path file) {
        Path rel = MAIN.relativize(file.getParent());
        return rel.toString().isEmpty() ? "(root)" : rel.toString().replace('/', '.');
    }

    @Test
    void packages_dependOnNoPackageThatDependsOnThem() throws IOException {
        Map<String, Set<String>> deps = new TreeMap<>();
        for (Path f : sources()) {
            String pkg = packageOf(f);
            Set<String> to = deps.computeIfAbsent(pkg, k -> new TreeSet<>());
            Matcher m = IMPORT.matcher(Files.readString(f));
            while (m.find()) {
                if (!m.group(1).equals(pkg)) {
                    to.add(m.group(1));
                }
            }
        }
        List<String> cycles = new ArrayList<>();
        for (String from : deps.keySet()) {
            for (String to : deps.get(from)) {
                if (reaches(deps, to, from, new TreeSet<>())) {
                    cycles.add(from + " -> " + to + " -> ... -> " + from);
                }
            }
        }
        assertThat(cycles).as("package dependencies %s", deps).isEmpty();
        assertThat(deps.get("(root)")).as("the root package (errors, exit codes, JSON) depends on no other").isEmpty();
    }

    static boolean reaches(Map<String, Set<String>> deps, String from, String target, Set<String> seen) {
        if (from.equals(target)) {
            return true;
        }
        if (!seen.add(from)) {
            return false;
        }
        return deps.getOrDefault(from, Set.of()).stream().anyMatch(n -> reaches(deps, n, target, seen));
    }

    @Test
    void mainFiles_stayUnder250Lines_andImportRatherThanQualify() throws IOException {
        for (Path f : sources()) {
            List<String> lines = Files.readAllLines(f);
            assertThat(lines.size()).as("%s lines", f).isLessThanOrEqualTo(250);
            for (String line : lines) {
                if (!line.startsWith("import ") && !line.startsWith("package ")) {
                    assertThat(QUALIFIED.matcher(line).find()).as("%s: %s", f, line.strip()).isFalse();
                }
            }
        }
    }

    @Test
    void main_usesNoSdkInternalJson() throws IOException {
        for (Path f : sources()) {
            assertThat(Files.readString(f)).as(f.toString()).doesNotContain("protocols.jsoncore");
        }
    }
}
