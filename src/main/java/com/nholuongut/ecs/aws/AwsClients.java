package com.nholuongut.ecs.aws;

import java.net.URI;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
 * The EC2 and Auto Scaling clients. Endpoints and credentials come from the SDK's own standard settings
 * ({@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_EC2}, the default credentials chain, ...) unless
 * {@link Settings} names them: in-process tests do, production never does, so the SDK is the one source.
 */
public final class AwsClients implements AutoCloseable {

    /**
     * Explicit endpoint and credentials, for tests that run the agent in-process against an emulator.
     *
     * @param endpoint    every service's endpoint, or null for the SDK's standard settings
     * @param credentials the credentials, or null for the SDK's default chain
     */
    public record Settings(URI endpoint, AwsCredentialsProvider credentials) {
        /** The SDK's standard settings: what an instance uses. */
        public static final Settings STANDARD = new Settings(null, null);
    }

    private final SdkHttpClient http;
    private final ScheduledThreadPoolExecutor timers;
    private final ClientOverrideConfiguration override;
    private final AwsCredentialsProvider credentials;
    private final String region;
    private final Settings settings;
    private final Ec2Client ec2;
    private AutoScalingClient autoScaling;

    /**
     * The SDK's own setting that keeps its instance-profile credentials on IMDSv2. Without it, a token request
     * that fails with anything but a 400 (a timeout, a 403 from a proxy, a 5xx) makes that provider read the
     * role's credentials without a token, i.e. with IMDSv1, where SPEC allows IMDSv1 only with
     * {@code IMDS_V1_FALLBACK=true}. The system property is read before {@code AWS_EC2_METADATA_V1_DISABLED}
     * and the profile's {@code ec2_metadata_v1_disabled}, so it holds whatever those say.
     */
    static final String IMDS_V1_DISABLED = "aws.disableEc2MetadataV1";

    private AwsClients(SdkHttpClient http, String region, Settings settings, AwsTimeouts timeouts,
                       boolean imdsV1Fallback) {
        this.http = http;
        this.region = region;
        this.settings = settings;
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
        if (settings.credentials() == null && !imdsV1Fallback) {
            System.setProperty(IMDS_V1_DISABLED, "true"); // the process has one configuration: the same each time
        }
        this.credentials = settings.credentials() != null ? settings.credentials()
                : DefaultCredentialsProvider.builder().build();
        this.ec2 = configure(Ec2Client.builder()).build();
    }

    /**
     * Builds the clients for {@code region} over {@code http}, which they then own and close.
     *
     * @param imdsV1Fallback {@code IMDS_V1_FALLBACK}: whether the default credentials chain may read the
     *                       instance profile's credentials with IMDSv1 (the SDK's default) or only with IMDSv2
     */
    public static AwsClients create(String region, SdkHttpClient http, Settings settings, AwsTimeouts timeouts,
                                    boolean imdsV1Fallback) {
        return new AwsClients(http, region, settings, timeouts, imdsV1Fallback);
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
        builder.httpClient(http)
                .overrideConfiguration(override)
                .credentialsProvider(credentials)
                .region(Region.of(region));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder;
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

    @Override
    public synchronized void close() {
        ec2.close();
        if (autoScaling != null) {
            autoScaling.close();
        }
        http.close();
        timers.shutdownNow();
    }
}
