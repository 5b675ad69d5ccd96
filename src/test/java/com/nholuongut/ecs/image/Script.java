package com.nholuongut.ecs.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one of the repository's shell scripts as a process, with a chosen environment, and captures its output. */
final class Script {

    /** The repository: Maven runs the tests in the project's base directory. */
    static final Path REPO = Path.of("").toAbsolutePath();

    /** What a run produced. */
    record Result(int exitCode, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    private Script() {
    }

    /** Path of a file of the repository, e.g. {@code packer/ami-table.sh}; fails if it is missing. */
    static Path repoFile(String relative) {
        Path file = REPO.resolve(relative);
        if (!Files.exists(file)) {
            throw new AssertionError(file + " is missing (tests run in the project's base directory)");
        }
        return file;
    }

    /** A fixture under src/test/resources/image/. */
    static Path fixture(String relative) {
        return repoFile("src/test/resources/image/" + relative);
    }

    /** Copies {@code source} into {@code dir} under {@code name}, executable. */
    static Path installExecutable(Path source, Path dir, String name) throws IOException {
        Path target = Files.copy(source, Files.createDirectories(dir).resolve(name));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        return target;
    }

    /** Writes an executable bash script. */
    static Path writeExecutable(Path file, String body) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/usr/bin/env bash\n" + body, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /**
     * Runs {@code bash <script> args...} in {@code workDir} with this process's PATH plus {@code env}, and
     * nothing else of its environment (no AWS settings leak into a script under test).
     */
    static Result run(Path workDir, Map<String, String> env, Duration timeout, Path script, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> environment = new HashMap<>();
        environment.put("PATH", System.getenv("PATH"));
        environment.put("HOME", workDir.toString());
        environment.put("LC_ALL", "C");
        environment.putAll(env);
        pb.environment().clear();
        pb.environment().putAll(environment);
        Path out = Files.createTempFile(workDir, "script-out", ".txt");
        Path err = Files.createTempFile(workDir, "script-err", ".txt");
        Process process = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError(script.getFileName() + " still running after " + timeout
                        + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
