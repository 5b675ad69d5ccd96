package com.nholuongut.ecs.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP proxy in front of moto that records each AWS action (the query protocol's {@code Action}),
 * so tests can count exactly which calls a discovery made, and plays EC2 on a bad day: slow answers
 * ({@link #delay}), throttling ({@link #throttleEvery}), an outage ({@link #down}).
 */
public final class RecordingProxy implements AutoCloseable {

    private final HttpServer server;
    private final URI target;
    private final List<String> actions = new CopyOnWriteArrayList<>();
    private volatile boolean down;
    private final Map<String, Duration> delays = new ConcurrentHashMap<>();
    private volatile int throttleEvery;
    private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger throttled = new java.util.concurrent.atomic.AtomicInteger();

    public RecordingProxy(URI target) throws IOException {
        this.target = target;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::forward);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Actions seen so far, in order, e.g. {@code DescribeInstances}. */
    public List<String> actions() {
        return new ArrayList<>(actions);
    }

    public void clear() {
        actions.clear();
    }

    /**
     * Answers every {@code n}-th request with EC2's throttling error ({@code RequestLimitExceeded}, HTTP 503);
     * 1 throttles everything, 0 nothing.
     */
    public void throttleEvery(int n) {
        throttleEvery = n;
    }

    /** How many requests were answered with a throttling error. */
    public int throttledCount() {
        return throttled.get();
    }

    /**
     * Answers {@code action} (e.g. {@code DescribeInstances}) only after {@code delay}, as EC2 answers a
     * large filtered describe on a bad day (15-30 s); {@link Duration#ZERO} ends it.
     */
    public void delay(String action, Duration delay) {
        delays.put(action, delay);
    }

    /** While down, every request is answered 503 Unavailable, as by an AWS outage. */
    public void down(boolean isDown) {
        down = isDown;
    }

    private void forward(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String action = action(new String(body, StandardCharsets.UTF_8));
            actions.add(action);
            Duration delay = delays.getOrDefault(action, Duration.ZERO);
            if (!delay.isZero()) {
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            int every = throttleEvery;
            if (every > 0 && requests.incrementAndGet() % every == 0) {
                throttled.incrementAndGet();
                byte[] reply = ("<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit "
                        + "exceeded.</Message></Error></Errors><RequestID>test</RequestID></Response>")
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/xml");
                ex.sendResponseHeaders(503, reply.length);
                ex.getResponseBody().write(reply);
                return;
            }
            if (down) {
                byte[] reply = ("<Response><Errors><Error><Code>Unavailable</Code><Message>test outage</Message>"
                        + "</Error></Errors><RequestID>test</RequestID></Response>").getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/xml");
                ex.sendResponseHeaders(503, reply.length);
                ex.getResponseBody().write(reply);
                return;
            }
            HttpURLConnection c = (HttpURLConnection) target.resolve(ex.getRequestURI().toString()).toURL()
                    .openConnection();
            c.setRequestMethod(ex.getRequestMethod());
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (!k.equalsIgnoreCase("Host") && !k.equalsIgnoreCase("Content-Length")) {
                    vs.forEach(v -> c.addRequestProperty(k, v));
                }
            });
            if (body.length > 0) {
                c.setDoOutput(true);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            byte[] reply = in == null ? new byte[0] : in.readAllBytes();
            String type = c.getContentType();
            if (type != null) {
                ex.getResponseHeaders().set("Content-Type", type);
            }
            ex.sendResponseHeaders(status, reply.length == 0 ? -1 : reply.length);
            if (reply.length > 0) {
                ex.getResponseBody().write(reply);
            }
        }
    }

    static String action(String form) {
        for (String pair : form.split("&")) {
            if (pair.startsWith("Action=")) {
                return URLDecoder.decode(pair.substring("Action=".length()), StandardCharsets.UTF_8);
            }
        }
        return "?";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
