package com.nholuongut.ecs.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback stand-in for the instance metadata service (JDK HttpServer, port 0). In IMDSv2 mode (an instance
 * with {@code HttpTokens=required}) every read needs a token from {@code PUT /latest/api/token} and a read
 * without one gets 401, as from the real service; in v1-only mode the token request is refused.
 */
public final class ImdsFixture implements AutoCloseable {

    /** How the fixture answers. */
    public enum Mode { V2, V1_ONLY, GARBAGE }

    private final HttpServer server;
    private final String token = UUID.randomUUID().toString();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final AtomicInteger tokenlessReads = new AtomicInteger();
    private volatile Mode mode = Mode.V2;
    private volatile String document;
    /** autoscaling/target-lifecycle-state; null: 404, as for an instance in no Auto Scaling group. */
    private volatile String targetState;
    /** spot/instance-action; null: 404, as until a Spot interruption is scheduled. */
    private volatile String spotAction;
    private final AtomicInteger lifecycleReads = new AtomicInteger();

    public ImdsFixture(String instanceId, String region, String address) throws IOException {
        identity(instanceId, region, address);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Changes the identity served. */
    public void identity(String instanceId, String region, String address) {
        document = "{\"accountId\": \"123456789012\", \"architecture\": \"x86_64\", \"availabilityZone\": \""
                + region + "a\", \"instanceId\": \"" + instanceId + "\", \"instanceType\": \"t3.micro\", "
                + "\"privateIp\": \"" + address + "\", \"region\": \"" + region + "\", \"version\": \"2017-09-30\"}";
    }

    /** The target lifecycle state Auto Scaling sets ({@code InService}, {@code Warmed:Running}, ...); null: 404. */
    public void targetState(String state) {
        targetState = state;
    }

    /** A Spot interruption notice's action ({@code terminate}, {@code stop}, {@code hibernate}); null: 404. */
    public void spotAction(String action) {
        spotAction = action;
    }

    /** How many times the target lifecycle state was read. */
    public int lifecycleReads() {
        return lifecycleReads.get();
    }

    public void mode(Mode newMode) {
        mode = newMode;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public int tokenRequests() {
        return tokenRequests.get();
    }

    public int tokenlessReads() {
        return tokenlessReads.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/latest/api/token")) {
                tokenRequests.incrementAndGet();
                if (!ex.getRequestMethod().equals("PUT") || mode == Mode.V1_ONLY
                        || ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds") == null) {
                    reply(ex, mode == Mode.V1_ONLY ? 403 : 400, "");
                    return;
                }
                // Like the real service, echo the granted lifetime; the SDK client insists on it.
                ex.getResponseHeaders().set("X-aws-ec2-metadata-token-ttl-seconds",
                        ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds"));
                reply(ex, 200, token);
                return;
            }
            String given = ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
            if (given == null) {
                tokenlessReads.incrementAndGet();
            }
            boolean allowed = mode == Mode.V1_ONLY ? given == null : token.equals(given);
            if (!allowed) {
                reply(ex, 401, "");
            } else if (path.equals("/latest/dynamic/instance-identity/document")) {
                reply(ex, 200, mode == Mode.GARBAGE ? "<html><body>502 Bad Gateway</body></html>" : document);
            } else if (path.equals("/latest/meta-data/autoscaling/target-lifecycle-state")) {
                lifecycleReads.incrementAndGet();
                String state = targetState;
                reply(ex, state == null ? 404 : 200, state == null ? "" : state);
            } else if (path.equals("/latest/meta-data/spot/instance-action") && spotAction != null) {
                reply(ex, 200, "{\"action\": \"" + spotAction + "\", \"time\": \"2026-12-03T20:00:00Z\"}");
            } else {
                reply(ex, 404, "");
            }
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
