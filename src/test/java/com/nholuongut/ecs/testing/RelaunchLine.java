package com.nholuongut.ecs.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The line a relaunching {@code discover -v} prints first ({@code relaunching as: JVM FLAGS ARCHIVE -jar JAR
 * (the same arguments)}), and the child's command line it names, run again with its archive made mandatory.
 */
public record RelaunchLine(String line, List<String> jvm) {

    public static final String PREFIX = "relaunching as: ";
    public static final String SUFFIX = " (the same arguments)";

    /** Parses {@code line}, failing the test if it is not such a line. */
    public static RelaunchLine of(String line) {
        assertThat(line).startsWith(PREFIX).endsWith(SUFFIX);
        return new RelaunchLine(line, List.of(line.substring(PREFIX.length(), line.length() - SUFFIX.length())
                .split(" ")));
    }

    /**
     * Runs the child's command line with {@code strict} before {@code -jar} (an option that makes the JVM refuse
     * to start without its archive) and {@code args} after it, in {@code dir} with {@code env} added; fails the
     * test unless it exits 0 within a minute. Returns its output, stderr included.
     */
    public String runStrictly(String strict, List<String> args, Path dir, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(jvm);
        command.add(command.indexOf("-jar"), strict);
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }
}
