package com.nholuongut.ecs.launch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs tools with {@link ProcessBuilder}: argv straight to exec, no shell, output captured. */
public final class SystemProcessRunner implements ProcessRunner {

    private static final int MAX_OUTPUT = 64 * 1024;

    @Override
    public Result run(List<String> argv, Duration timeout) {
        long start = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            return new Result(-1, "", "cannot run " + argv.get(0) + ": " + e.getMessage(), elapsed(start));
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return new Result(-1, out.getNow(""), "timed out after " + timeout.toSeconds() + " s",
                        elapsed(start));
            }
            return new Result(process.exitValue(), out.join(), err.join(), elapsed(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "", "interrupted", elapsed(start));
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            byte[] all = in.readAllBytes();
            String text = new String(all, 0, Math.min(all.length, MAX_OUTPUT), StandardCharsets.UTF_8);
            return all.length > MAX_OUTPUT ? text + "..." : text;
        } catch (IOException e) {
            return "";
        }
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
