package com.nholuongut.ecs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** {@code java -jar target/agent.jar ...} as a process, with a clean environment and captured output. */
public final class AgentProcess implements AutoCloseable {

    private final Process process;
    private final Path out;
    private final Path err;

    private AgentProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /**
     * Starts the jar in {@code workDir} with only {@code env} (plus PATH) as its environment. IMDS is pointed at a
     * closed loopback port unless {@code env} names one.
     */
    public static AgentProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", Path.of(System.getProperty("agent.jar", "target/agent.jar")).toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv("PATH"));
        pb.environment().put("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(workDir, "agent-out", ".log");
        Path err = Files.createTempFile(workDir, "agent-err", ".log");
        return new AgentProcess(pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start(), out, err);
    }

    public String stdout() {
        return read(out);
    }

    public String stderr() {
        return read(err);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("agent still running after " + timeout + "\nstdout:\n" + stdout());
        }
        return process.exitValue();
    }

    /** Sends SIGTERM and returns the exit code; fails if the process takes longer than {@code timeout}. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return waitFor(timeout);
    }

    /** Polls {@code condition} every 100 ms until it holds or {@code timeout} passes. */
    /** How many lines of stdout so far start with {@code prefix} (e.g. {@code "DEBUG refresh "}). */
    public int lines(String prefix) {
        return (int) stdout().lines().filter(l -> l.startsWith(prefix)).count();
    }

    /**
     * Waits for {@code more} lines starting with {@code prefix} after those logged so far: the event that must
     * come after a check that nothing happened (the next refreshes, say), instead of a fixed sleep.
     */
    public boolean awaitMore(String prefix, int more, Duration timeout) throws InterruptedException {
        int target = lines(prefix) + more;
        return await(() -> lines(prefix) >= target, timeout);
    }

    public static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Kills the agent and whatever it started (a relaunched JVM, a stand-in tool still running), and waits for
     * them to be gone: a process still writing its state or a tool's log into the test's directory would make
     * JUnit's clean-up of that directory fail.
     */
    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(0, process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("process " + p.pid() + " still running 10 s after SIGKILL", e);
            }
        }
    }
}
