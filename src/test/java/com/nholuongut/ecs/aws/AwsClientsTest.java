package com.nholuongut.ecs.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/** The clients' own resources: the SDK's timers on one thread, one parse of the trust store per process. */
class AwsClientsTest {

    /** The SDK's standard settings, as an instance has them: here a closed port and made-up keys. */
    private static final Map<String, String> CLOSED_PORT = Map.of("aws.endpointUrl", "http://127.0.0.1:9",
            "aws.accessKeyId", "testing", "aws.secretAccessKey", "testing");

    private final Map<String, String> saved = new HashMap<>();

    @BeforeEach
    void standardSettings() {
        CLOSED_PORT.forEach((property, value) -> {
            saved.put(property, System.getProperty(property));
            System.setProperty(property, value);
        });
    }

    @AfterEach
    void restoreSettings() {
        saved.forEach((property, value) -> {
            if (value == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, value);
            }
        });
    }

    /** The live threads whose name starts so (other tests' SDK clients in this JVM have some too). */
    private static Set<Thread> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith(prefix)).collect(Collectors.toSet());
    }

    private static Set<Thread> newSince(Set<Thread> before, String prefix) {
        Set<Thread> now = new HashSet<>(threads(prefix));
        now.removeAll(before);
        return now;
    }

    @Test
    void awsClients_runTheSdksTimeoutTimersOnOneThreadForBothClients_andStopItOnClose() throws Exception {
        Set<Thread> timersBefore = threads("aws-timeouts");
        Set<Thread> sdkPoolBefore = threads("sdk-ScheduledExecutor");
        HttpClients http = new HttpClients();
        AwsClients clients = AwsClients.create("us-east-1", http.client(Duration.ofSeconds(5)),
                new AwsTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)));
        Set<Thread> ours;
        try {
            // Each call arms the call and attempt timers (the port refuses, so it fails fast).
            assertThatThrownBy(() -> clients.ec2().describeInstances()).isInstanceOf(SdkClientException.class);
            assertThatThrownBy(() -> clients.autoScaling().describeAutoScalingInstances())
                    .isInstanceOf(SdkClientException.class);

            ours = newSince(timersBefore, "aws-timeouts");
            assertThat(ours).hasSize(1);
            assertThat(newSince(sdkPoolBefore, "sdk-ScheduledExecutor")).as("the SDK's own timer pool").isEmpty();
        } finally {
            clients.close();
        }
        Thread timer = ours.iterator().next();
        timer.join(5_000);
        assertThat(timer.isAlive()).as("the timer thread after close()").isFalse();
    }

    @Test
    void awsClients_close_leavesTheCallersHttpClientOpen() {
        AtomicInteger closes = new AtomicInteger();
        try (SdkHttpClient made = new HttpClients().client(Duration.ofSeconds(5))) {
            SdkHttpClient http = new SdkHttpClient() {
                @Override
                public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
                    return made.prepareRequest(request);
                }

                @Override
                public void close() {
                    closes.incrementAndGet();
                }
            };
            AwsClients clients = AwsClients.create("us-east-1", http,
                    new AwsTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)));
            assertThatThrownBy(() -> clients.ec2().describeInstances()).isInstanceOf(SdkClientException.class);
            clients.autoScaling();

            clients.close();

            assertThat(closes).as("closes of the HTTP client handed in").hasValue(0);
        }
    }

    @Test
    void httpClients_makeTheTrustManagersOnce_forEveryClient() {
        AtomicInteger loads = new AtomicInteger();
        HttpClients http = new HttpClients(() -> {
            loads.incrementAndGet();
            return new TrustManager[0];
        });

        http.client(Duration.ofSeconds(1)).close();
        http.client(Duration.ofSeconds(2)).close();
        http.client(Duration.ofSeconds(3)).close();

        assertThat(loads).hasValue(1);
    }

    @Test
    void metadataClient_setsUpNoTls_andGoesDirectEvenWithAProxyConfigured() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        HttpClients http = new HttpClients(() -> {
            loads.incrementAndGet();
            return new TrustManager[0];
        });
        HttpServer imds = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        imds.createContext("/", exchange -> {
            byte[] body = "i-0abc".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        imds.start();
        URI uri = URI.create("http://127.0.0.1:" + imds.getAddress().getPort() + "/latest/meta-data/instance-id");
        Map<String, String> proxy = Map.of("http.proxyHost", "127.0.0.1", "http.proxyPort", "9",
                "http.nonProxyHosts", "none.invalid");
        HttpExecuteRequest get = HttpExecuteRequest.builder()
                .request(SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(uri).build()).build();
        try (SdkHttpClient client = http.metadataClient(Duration.ofSeconds(2))) {
            proxy.forEach(System::setProperty);
            // The control: the SDK's default client follows the JVM's proxy settings, to the closed port.
            try (SdkHttpClient proxied = UrlConnectionHttpClient.builder().build()) {
                assertThatThrownBy(() -> proxied.prepareRequest(get).call()).isInstanceOf(IOException.class);
            }
            int loadsBefore = loads.get();

            HttpExecuteResponse response = client.prepareRequest(get).call();

            assertThat(response.httpResponse().statusCode()).isEqualTo(200);
            assertThat(new String(response.responseBody().orElseThrow().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("i-0abc");
            assertThat(loads).as("trust managers made for plain HTTP").hasValue(loadsBefore);
        } finally {
            proxy.keySet().forEach(System::clearProperty);
            imds.stop(0);
        }
    }

    @Test
    void metadataClient_givesUpOnASilentMetadataService_afterItsReadTimeout() throws Exception {
        // Accepts the connection (the backlog does) and never answers: only the read timeout ends the wait.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             SdkHttpClient client = new HttpClients().metadataClient(Duration.ofMillis(500))) {
            URI uri = URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/latest/api/token");
            HttpExecuteRequest put = HttpExecuteRequest.builder()
                    .request(SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(uri).build()).build();
            long start = System.nanoTime();

            assertThatThrownBy(() -> client.prepareRequest(put).call()).isInstanceOf(SocketTimeoutException.class);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void httpClients_byDefault_trustTheJdksCaStore() {
        assertThat(new HttpClients().trustManagers()).isNotEmpty();
    }
}
