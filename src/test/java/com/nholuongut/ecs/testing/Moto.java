package com.nholuongut.ecs.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A running {@code moto_server} (moto 5.x, a real AWS API emulator) on a free loopback port: the tests' default
 * emulator. It has every feature the tests use, IAM enforcement included ({@code INITIAL_NO_AUTH_ACTION_COUNT}).
 */
public final class Moto extends AwsEmulator {

    private final Process process;
    private final URI endpoint;
    private final Path log;

    private Moto(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /**
     * Starts moto on a free port and waits until it answers (fails after 30 s).
     *
     * @param initialNoAuthActions set-up requests allowed before IAM is enforced, or -1 for no enforcement
     */
    public static Moto start(int initialNoAuthActions) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = Files.createTempFile("moto-", ".log");
        ProcessBuilder pb = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        if (initialNoAuthActions >= 0) {
            pb.environment().put("INITIAL_NO_AUTH_ACTION_COUNT", String.valueOf(initialNoAuthActions));
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start moto_server (is moto[server] 5.x installed?): "
                    + e.getMessage(), e);
        }
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited: " + Files.readString(log));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/moto-api/data.json").toURL()
                        .openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    return new Moto(process, endpoint, log);
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("moto_server did not answer on " + endpoint + " within 30 s");
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public String name() {
        return "moto";
    }

    @Override
    public boolean supports(Feature feature) {
        return true;
    }

    /** moto's request log (one line a request). */
    public Path log() {
        return log;
    }

    /** moto's reset API: every resource is gone. */
    @Override
    public void reset() {
        try {
            HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/moto-api/reset").toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.getOutputStream().close();
            if (c.getResponseCode() != 200) {
                throw new IllegalStateException("moto reset answered " + c.getResponseCode());
            }
        } catch (IOException e) {
            throw new IllegalStateException("moto reset failed", e);
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(log);
        } catch (InterruptedException | IOException e) {
            process.destroyForcibly();
        }
    }
}
