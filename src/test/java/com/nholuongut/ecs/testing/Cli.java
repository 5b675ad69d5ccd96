package com.nholuongut.ecs.testing;

import com.nholuongut.ecs.app.Main;
import com.nholuongut.ecs.aws.AwsClients;
import com.nholuongut.ecs.doctor.PortProbe;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Runs the agent's command line in-process through picocli, with a given environment and captured streams. */
public final class Cli {

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
        return run(env, com.nholuongut.ecs.doctor.PortProbe.TCP, args);
    }

    /** As {@link #run(Map, String...)}, with {@code doctor}'s port checks going through {@code probe}. */
    public static Result run(Map<String, String> env, com.nholuongut.ecs.doctor.PortProbe probe, String... args) {
        Map<String, String> full = new HashMap<>(env);
        full.computeIfAbsent("NHOLUONGUT_CONFIG_DIR", k -> emptyDir().toString());
        full.putIfAbsent("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9");
        CommandLine cl = Main.commandLine(full, awsSettings(full), probe);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * The emulator's endpoint and credentials, from the test's own environment map: the agent in production
     * leaves both to the SDK's standard settings, which read the real process environment.
     */
    static AwsClients.Settings awsSettings(Map<String, String> env) {
        String endpoint = env.get("AWS_ENDPOINT_URL");
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        String session = env.get("AWS_SESSION_TOKEN");
        AwsCredentialsProvider credentials = id == null || secret == null ? null
                : StaticCredentialsProvider.create(session == null ? AwsBasicCredentials.create(id, secret)
                        : AwsSessionCredentials.create(id, secret, session));
        return new AwsClients.Settings(endpoint == null ? null : URI.create(endpoint), credentials);
    }

    private static Path emptyDir() {
        try {
            return Files.createTempDirectory("agent-config-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
