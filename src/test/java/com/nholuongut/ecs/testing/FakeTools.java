package com.nholuongut.ecs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * A folder of executable fakes ({@code nholuongut}, {@code scope}, {@code systemd-notify}) that record
 * each call's argv as a JSON line and exit with a code the test chooses.
 */
public final class FakeTools {

    private final Path dir;

    public FakeTools(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        byte[] script;
        try (InputStream in = FakeTools.class.getResourceAsStream("/fake-tool.py")) {
            script = in.readAllBytes();
        }
        for (String tool : List.of("nholuongut", "scope", "systemd-notify")) {
            Path file = dir.resolve(tool);
            Files.write(file, script);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    public Path dir() {
        return dir;
    }

    public Path net() {
        return dir.resolve("nholuongut");
    }

    public Path scope() {
        return dir.resolve("scope");
    }

    /** Every call so far, each as its argv with the tool's name first. */
    public List<List<String>> calls() {
        Path log = dir.resolve("calls.jsonl");
        List<List<String>> calls = new ArrayList<>();
        try {
            if (!Files.exists(log)) {
                return calls;
            }
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                calls.add(JsonNode.parser().parse(line).asArray().stream().map(JsonNode::asString).toList());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return calls;
    }

    /** Makes {@code tool subcommand} exit with {@code code} from now on. */
    public void exitCode(String tool, String subcommand, int code) throws IOException {
        Files.writeString(dir.resolve("exit-" + tool + "-" + subcommand), String.valueOf(code));
    }

    /** Back to the default behaviour for {@code tool subcommand}. */
    public void clearExitCode(String tool, String subcommand) throws IOException {
        Files.deleteIfExists(dir.resolve("exit-" + tool + "-" + subcommand));
    }

    /** Makes {@code tool subcommand} print {@code text} on stdout. */
    public void stdout(String tool, String subcommand, String text) throws IOException {
        Files.writeString(dir.resolve("stdout-" + tool + "-" + subcommand), text);
    }

    /** Makes {@code tool subcommand} hang for {@code seconds}. */
    public void sleep(String tool, String subcommand, int seconds) throws IOException {
        Files.writeString(dir.resolve("sleep-" + tool + "-" + subcommand), String.valueOf(seconds));
    }

    /** Pretends Net is already running, as after an agent restart. */
    public void netAlreadyRunning() throws IOException {
        Files.writeString(dir.resolve("net-running"), "");
    }
}
