package com.nholuongut.ecs.aws;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The EC2 and Auto Scaling clients of one region, whose endpoints and credentials come from the SDK's own
 * standard settings only ({@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_EC2}, the default credentials chain,
 * ...).
 */
public final class AwsClients implements AutoCloseable {

    private final SdkHttpClient http;
    private final ScheduledThreadPoolExecutor timers;
    private final ClientOverrideConfiguration override;
    private final DefaultCredentialsProvider credentials;
    private final String region;
    private final Ec2Client ec2;
    private AutoScalingClient autoScaling;

    private AwsClients(String region, SdkHttpClient http, AwsTimeouts timeouts) {
        this.http = http;
        this.region = region;
        // The SDK's call and attempt timeouts, on one thread for both clients (by default each client starts a
        // pool of five): a timer only runs when a call overruns, so one thread serves them all. Each call cancels
        // its timers when it ends; removed from the queue then, not minutes later when they would have fired.
        this.timers = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "aws-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        timers.setRemoveOnCancelPolicy(true);
        this.override = ClientOverrideConfiguration.builder()
                .scheduledExecutorService(timers)
                .apiCallTimeout(timeouts.call())
                .apiCallAttemptTimeout(timeouts.attempt())
                // Adaptive mode adds client-side rate limiting when AWS throttles us, on top of
                // exponential backoff with jitter: at fleet scale that protects the account's shared budget.
                .retryStrategy(AwsRetryStrategy.adaptiveRetryStrategy())
                .build();
        this.credentials = DefaultCredentialsProvider.builder().build();
        this.ec2 = configure(Ec2Client.builder()).build();
    }

    /**
     * Builds the clients for {@code region} over {@code http}, which stays the caller's: as with the SDK's own
     * builders, an HTTP client handed in is not closed with the clients.
     */
    public static AwsClients create(String region, SdkHttpClient http, AwsTimeouts timeouts) {
        return new AwsClients(region, http, timeouts);
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
        return builder.httpClient(http)
                .overrideConfiguration(override)
                .credentialsProvider(credentials)
                .region(Region.of(region));
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
            autoScaling = configure(AutoScalingClient.builder()).build();
        }
        return autoScaling;
    }

    /** Runs {@code call}, which performs {@code action} with these clients (see {@link AwsCalls#call}). */
    public <T> T call(String action, Supplier<T> call) {
        return AwsCalls.call(action, credentials, call);
    }

    /** Checks {@code action} with these clients (see {@link AwsCalls#permission}). */
    public String permission(String action, Supplier<?> call) {
        return AwsCalls.permission(action, credentials, call);
    }

    /** Closes what these clients made: the SDK clients, their credentials chain and timer; not the HTTP client. */
    @Override
    public synchronized void close() {
        ec2.close();
        if (autoScaling != null) {
            autoScaling.close();
        }
        credentials.close();
        timers.shutdownNow();
    }
}
