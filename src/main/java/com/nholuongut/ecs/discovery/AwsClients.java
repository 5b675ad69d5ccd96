package com.nholuongut.ecs.discovery;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The EC2 and Auto Scaling clients, built from the SDK's standard settings as found in the given
 * environment ({@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_EC2}, {@code AWS_ENDPOINT_URL_AUTO_SCALING},
 * credentials variables, else the default chain). The environment is passed in rather than read globally
 * so that tests can run the CLI in-process against an emulator.
 */
public final class AwsClients implements AutoCloseable {

    private final SdkHttpClient http;
    private final ClientOverrideConfiguration override;
    private final AwsCredentialsProvider credentials;
    private final String region;
    private final Map<String, String> env;
    private final Ec2Client ec2;
    private AutoScalingClient autoScaling;

    private AwsClients(SdkHttpClient http, String region, Map<String, String> env, AwsTimeouts timeouts) {
        this.http = http;
        this.region = region;
        this.env = env;
        this.override = ClientOverrideConfiguration.builder()
                .apiCallTimeout(timeouts.call())
                .apiCallAttemptTimeout(timeouts.attempt())
                // Adaptive mode adds client-side rate limiting when AWS throttles us, on top of
                // exponential backoff with jitter: at fleet scale that protects the account's shared budget.
                .retryStrategy(AwsRetryStrategy.adaptiveRetryStrategy())
                .build();
        this.credentials = credentials(env);
        this.ec2 = configure(Ec2Client.builder(), endpoint(env, "AWS_ENDPOINT_URL_EC2")).build();
    }

    /**
     * An HTTP client that fails fast on connecting and waits {@code read} for an answer in progress. The
     * EC2 and Auto Scaling clients share one (one SSL set-up per process); the SDK's attempt timeout, not
     * the socket's, is what bounds a slow answer, so give it at least {@link AwsTimeouts#attempt()}.
     */
    public static SdkHttpClient httpClient(Duration read) {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(AwsTimeouts.CONNECT)
                .socketTimeout(read)
                .build();
    }

    /** Builds the clients for {@code region} over {@code http}, which they then own and close. */
    public static AwsClients create(String region, Map<String, String> env, SdkHttpClient http,
                                    AwsTimeouts timeouts) {
        return new AwsClients(http, region, env, timeouts);
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder, URI endpoint) {
        builder.httpClient(http)
                .overrideConfiguration(override)
                .credentialsProvider(credentials)
                .region(Region.of(region));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder;
    }

    private static URI endpoint(Map<String, String> env, String serviceVariable) {
        String value = env.getOrDefault(serviceVariable, env.get("AWS_ENDPOINT_URL"));
        return value == null || value.isBlank() ? null : URI.create(value.strip());
    }

    private static AwsCredentialsProvider credentials(Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id == null || secret == null || id.isBlank() || secret.isBlank()) {
            return DefaultCredentialsProvider.builder().build();
        }
        String session = env.get("AWS_SESSION_TOKEN");
        return StaticCredentialsProvider.create(session == null || session.isBlank()
                ? AwsBasicCredentials.create(id, secret)
                : AwsSessionCredentials.create(id, secret, session));
    }

    /** The credentials the clients sign with (for {@code doctor}). */
    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    public Ec2Client ec2() {
        return ec2;
    }

    /** The Auto Scaling client, built on first use: tag-mode instances never pay for it. */
    public synchronized AutoScalingClient autoScaling() {
        if (autoScaling == null) {
            autoScaling = configure(AutoScalingClient.builder(), endpoint(env, "AWS_ENDPOINT_URL_AUTO_SCALING"))
                    .build();
        }
        return autoScaling;
    }

    @Override
    public synchronized void close() {
        ec2.close();
        if (autoScaling != null) {
            autoScaling.close();
        }
        http.close();
    }
}
