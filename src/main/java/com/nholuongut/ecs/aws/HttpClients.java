package com.nholuongut.ecs.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * Builds the process's HTTP clients: the EC2 and Auto Scaling ones over one set of trust managers, and the
 * metadata service's, which needs none. Each {@link UrlConnectionHttpClient} built with the default connection
 * factory sets up TLS when it is built, and with no trust managers given it parses the JDK's CA store anew (some
 * 25 ms of a cold start each time); the store is the same for every client, so it is parsed once here and
 * handed to each. One instance per process, made by the wiring.
 */
public final class HttpClients {

    private final Supplier<TrustManager[]> loader;
    private TrustManager[] trust;

    public HttpClients() {
        this(HttpClients::defaultTrustManagers);
    }

    /** @param loader makes the trust managers (the JDK's defaults in production); called once */
    HttpClients(Supplier<TrustManager[]> loader) {
        this.loader = loader;
    }

    /**
     * An HTTP client that fails fast on connecting and waits {@code read} for an answer in progress. The
     * SDK's attempt timeout, not the socket's, is what bounds a slow AWS answer, so give an AWS client at
     * least {@link AwsTimeouts#attempt()}.
     */
    public SdkHttpClient client(Duration read) {
        TrustManager[] managers = trustManagers();
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(AwsTimeouts.CONNECT)
                .socketTimeout(read)
                .tlsTrustManagersProvider(() -> managers)
                .build();
    }

    /**
     * The instance metadata service's client: plain HTTP to a link-local address, so it sets up no TLS (and
     * waits for no CA store), and goes direct, never through a proxy from the JVM's or the environment's
     * settings, which cannot reach the instance's own metadata service anyway.
     */
    public SdkHttpClient metadataClient(Duration read) {
        int connect = (int) AwsTimeouts.CONNECT.toMillis();
        int answer = (int) Math.min(Integer.MAX_VALUE, read.toMillis());
        return UrlConnectionHttpClient.create(uri -> {
            try {
                HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
                connection.setConnectTimeout(connect);
                connection.setReadTimeout(answer);
                return connection;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The trust managers every client gets, made on first use. */
    synchronized TrustManager[] trustManagers() {
        if (trust == null) {
            trust = loader.get();
        }
        return trust;
    }

    /** The JDK's default trust managers: its CA store, or {@code javax.net.ssl.trustStore}. */
    private static TrustManager[] defaultTrustManagers() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the JDK's trusted certificates: " + e.getMessage(), e);
        }
    }
}
