package com.nholuongut.ecs.launch;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs tools with {@link ProcessBuilder}: argv straight to exec, no shell, output captured. */
public final class SystemProcessRunner implements ProcessRunner {

    /** Output kept per stream: a router report of a large group is megabytes; more is cut. */
    static final int MAX_OUTPUT = 32 * 1024 * 1024;

    @Override
    public Result run(List<String> argv, Map<String, String> env, Duration timeout) {
        long start = System.nanoTime();
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(env);
            process = builder.start();
        } catch (IOException e) {
            return new Result(-1, "", "cannot run " + argv.get(0) + ": " + e.getMessage(), elapsed(start));
        }
        Drain out = new Drain(process.getInputStream());
        Drain err = new Drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                // The tool's own children (docker, ...) hold the pipes too: end them with it.
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return new Result(-1, out.text(Duration.ofSeconds(1)), "timed out after " + timeout.toSeconds()
                        + " s", elapsed(start));
            }
            return new Result(process.exitValue(), out.text(Duration.ofSeconds(5)), err.text(Duration.ofSeconds(5)),
                    elapsed(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "", "interrupted", elapsed(start));
        }
    }

    /** Reads one stream on its own daemon thread, so a stuck grandchild can never block the agent. */
    private static final class Drain {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in) {
            thread = new Thread(() -> {
                byte[] chunk = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(chunk)) >= 0) {
                        synchronized (buffer) {
                            if (buffer.size() < MAX_OUTPUT) {
                                buffer.write(chunk, 0, Math.min(n, MAX_OUTPUT - buffer.size()));
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the process went away
                }
            }, "tool-output");
            thread.setDaemon(true);
            thread.start();
        }

        String text(Duration wait) throws InterruptedException {
            thread.join(wait.toMillis());
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
