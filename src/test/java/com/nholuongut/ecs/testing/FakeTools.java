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
 * each call's argv as a JSON line, enforce the real scripts' command-line rules (see fake-tool.py) and keep
 * a modelled state: whether Net and Scope run, the router's targets, what Scope was launched with.
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

    /** The raw record of every call (calls.jsonl), for a test that greps it for a secret. */
    public String callLog() {
        try {
            Path log = dir.resolve("calls.jsonl");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
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

    /**
     * Joins this host's router to a modelled mesh shared with other hosts' stand-ins (see fake-tool.py): its
     * {@code report} then shows the others, and {@code rmpeer} moves their address space.
     */
    public void mesh(Path meshDir, String peerName, String nickname) throws IOException {
        Files.createDirectories(meshDir);
        Files.writeString(dir.resolve("mesh"), meshDir.toString());
        Files.writeString(dir.resolve("router"), peerName + " " + nickname + "\n");
    }

    /** Pretends Net is already running with no targets, as after an agent restart. */
    public void netAlreadyRunning() throws IOException {
        netAlreadyRunning(List.of());
    }

    /** Pretends Net is already running with these targets (what an earlier agent told it). */
    public void netAlreadyRunning(List<String> targets) throws IOException {
        String list = String.join(",", targets.stream().map(t -> "\"" + t + "\"").toList());
        Files.writeString(dir.resolve("state.json"),
                "{\"net\": {\"running\": true, \"targets\": [" + list + "], \"launches\": 0}}");
    }

    /**
     * The modelled router: whether Net runs, its target list (what it dials), how it was launched, and the
     * password it got (from --password or its environment, as the real script takes it), or null.
     */
    public record Router(boolean running, List<String> targets, String ipallocInit, boolean encrypted,
                         int launches, String password) {
    }

    /** The modelled Scope: whether it runs, the arguments of its last launch, how many launches. */
    public record Scope(boolean running, List<String> args, int launches) {
    }

    /** The router as the calls so far left it. */
    public Router router() {
        JsonNode net = state().field("net").orElse(null);
        if (net == null || !net.isObject()) {
            return new Router(false, List.of(), null, false, 0, null);
        }
        return new Router(bool(net, "running"), strings(net, "targets"),
                net.field("ipallocInit").map(JsonNode::asString).orElse(null), bool(net, "encrypted"),
                net.field("launches").map(n -> Integer.parseInt(n.asNumber())).orElse(0),
                net.field("password").filter(JsonNode::isString).map(JsonNode::asString).orElse(null));
    }

    /** Scope as the calls so far left it. */
    public Scope scopeState() {
        JsonNode scope = state().field("scope").orElse(null);
        if (scope == null || !scope.isObject()) {
            return new Scope(false, List.of(), 0);
        }
        return new Scope(bool(scope, "running"), strings(scope, "args"),
                scope.field("launches").map(n -> Integer.parseInt(n.asNumber())).orElse(0));
    }

    private JsonNode state() {
        Path file = dir.resolve("state.json");
        try {
            return Files.exists(file) ? JsonNode.parser().parse(Files.readString(file)) : JsonNode.parser().parse("{}");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean bool(JsonNode node, String field) {
        return node.field(field).filter(JsonNode::isBoolean).map(JsonNode::asBoolean).orElse(false);
    }

    private static List<String> strings(JsonNode node, String field) {
        return node.field(field).filter(JsonNode::isArray).map(a -> a.asArray().stream().map(JsonNode::asString)
                .toList()).orElse(List.of());
    }
}
