package com.nholuongut.ecs.aws;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;

/**
 * Builds the process's HTTP clients (IMDS, EC2, Auto Scaling) over one set of trust managers. Each
 * {@link UrlConnectionHttpClient} sets up TLS when it is built, and with no trust managers given it parses
 * the JDK's CA store anew (some 25 ms of a cold start each time); the store is the same for every client, so
 * it is parsed once here and handed to each. One instance per process, made by the wiring.
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
