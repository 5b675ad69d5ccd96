package com.nholuongut.ecs.testing;

import com.nholuongut.ecs.app.Main;
import com.nholuongut.ecs.doctor.PortProbe;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the agent's command line in-process through picocli, with a given environment and captured streams. */
public final class Cli {

    /**
     * The SDK's system properties for the standard variables a test's environment may set: the agent in-process
     * leaves AWS endpoints, credentials and the metadata endpoint to the SDK, which reads the real process
     * environment and these properties (before it), not the map the agent was given.
     */
    static final Map<String, String> SDK_PROPERTIES = Map.of(
            "AWS_ENDPOINT_URL", "aws.endpointUrl",
            "AWS_ACCESS_KEY_ID", "aws.accessKeyId",
            "AWS_SECRET_ACCESS_KEY", "aws.secretAccessKey",
            "AWS_SESSION_TOKEN", "aws.sessionToken",
            "AWS_EC2_METADATA_SERVICE_ENDPOINT", "aws.ec2MetadataServiceEndpoint");
    /** Set by the agent's wiring for the whole JVM (unless IMDS_V1_FALLBACK=true): restored after each run. */
    static final String IMDS_V1_DISABLED = "aws.disableEc2MetadataV1";

    /** What a run produced. */
    public record Result(int exitCode, String out, String err) {
        public List<String> outLines() {
            return out.lines().toList();
        }
    }

    private Cli() {
    }

    /**
     * Runs {@code args} with {@code env}. A config directory is always set (to an empty temp dir unless the
     * environment names one) so a test never reads this machine's /etc/nholuongut; the IMDS endpoint points
     * at a closed loopback port unless set, so no test talks to 169.254.169.254.
     */
    public static Result run(Map<String, String> env, String... args) {
        return run(env, PortProbe.TCP, args);
    }

    /** As {@link #run(Map, String...)}, with {@code doctor}'s port checks going through {@code probe}. */
    public static Result run(Map<String, String> env, PortProbe probe, String... args) {
        Map<String, String> full = new HashMap<>(env);
        full.computeIfAbsent("NHOLUONGUT_CONFIG_DIR", k -> emptyDir().toString());
        full.putIfAbsent("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> saved = new HashMap<>();
        for (String property : SDK_PROPERTIES.values()) {
            saved.put(property, System.getProperty(property));
        }
        saved.put(IMDS_V1_DISABLED, System.getProperty(IMDS_V1_DISABLED));
        try {
            SDK_PROPERTIES.forEach((variable, property) -> set(property, full.get(variable)));
            int code = Main.execute(full, probe, cl -> {
                cl.setOut(new PrintWriter(out, true));
                cl.setErr(new PrintWriter(err, true));
            }, args);
            return new Result(code, out.toString(), err.toString());
        } finally {
            saved.forEach(Cli::set);
        }
    }

    /**
     * Runs {@code body} with the SDK's system properties set from {@code env} as {@link #run} sets them, for a
     * test that drives an agent component (a peer source, say) over the emulator; restores them after.
     */
    public static <T> T withSdkSettings(Map<String, String> env, java.util.function.Supplier<T> body) {
        Map<String, String> saved = new HashMap<>();
        SDK_PROPERTIES.values().forEach(p -> saved.put(p, System.getProperty(p)));
        try {
            SDK_PROPERTIES.forEach((variable, property) -> set(property, env.get(variable)));
            return body.get();
        } finally {
            saved.forEach(Cli::set);
        }
    }

    private static void set(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    private static Path emptyDir() {
        try {
            return Files.createTempDirectory("agent-config-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
