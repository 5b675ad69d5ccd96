package com.nholuongut.ecs.testing;

import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts {@code moto_server} (a real AWS API emulator) on a free loopback port once per test class.
 * If it cannot start, the class fails: these tests are never skipped.
 */
public final class MotoServer implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    /** Turns on moto's IAM enforcement after this many unauthenticated set-up requests. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface IamEnforced {
        int initialNoAuthActions();
    }

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(MotoServer.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        IamEnforced iam = context.getRequiredTestClass().getAnnotation(IamEnforced.class);
        Moto moto = start(iam == null ? -1 : iam.initialNoAuthActions());
        context.getStore(NS).put("moto", moto);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Moto moto = context.getStore(NS).remove("moto", Moto.class);
        if (moto != null) {
            moto.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == Moto.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return e.getStore(NS).get("moto", Moto.class);
    }

    /** Starts moto on a free port and waits until it answers (fails after 30 s). */
    public static Moto start(int initialNoAuthActions) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
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
}
