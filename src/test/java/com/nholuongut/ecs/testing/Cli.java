package com.nholuongut.ecs.testing;

import com.nholuongut.ecs.cli.AgentCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/** Runs the agent's command line in-process through picocli, with a given environment and captured streams. */
public final class Cli {

    /** What a run produced. */
    public record Result(int exitCode, String out, String err) {
        public java.util.List<String> outLines() {
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
        return run(env, com.nholuongut.ecs.cli.PortProbe.TCP, args);
    }

    /** As {@link #run(Map, String...)}, with {@code doctor}'s port checks going through {@code probe}. */
    public static Result run(Map<String, String> env, com.nholuongut.ecs.cli.PortProbe probe, String... args) {
        Map<String, String> full = new HashMap<>(env);
        full.computeIfAbsent("NHOLUONGUT_CONFIG_DIR", k -> emptyDir().toString());
        full.putIfAbsent("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9");
        CommandLine cl = AgentCommand.commandLine(full, probe);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private static Path emptyDir() {
        try {
            return java.nio.file.Files.createTempDirectory("agent-config-");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
