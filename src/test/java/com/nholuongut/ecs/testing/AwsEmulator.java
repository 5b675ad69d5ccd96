package com.nholuongut.ecs.testing;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;

/**
 * The AWS API emulator the integration tests build their fleets in, on loopback: {@link Moto} by default,
 * {@link LocalStack} with {@code -Plocalstack} (see {@link Emulators}). The tests see only this: the endpoint,
 * SDK clients pointed at it, a reset between tests, and which optional features the emulator has.
 */
public abstract class AwsEmulator implements AutoCloseable {

    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY = "testing";
    public static final String SECRET_KEY = "testing";

    /** What not every emulator offers; a test that needs one is skipped, saying why, where it is missing. */
    public enum Feature {
        /** The Auto Scaling API (LocalStack has it in its Pro image only). */
        AUTO_SCALING,
        /** IAM policies enforced on every call (moto's INITIAL_NO_AUTH_ACTION_COUNT; not wired up for LocalStack). */
        IAM_ENFORCEMENT
    }

    /**
     * Addresses for {@link Fleet#launchOne}: outside a subnet moto picks a random 10.x address, and
     * among a thousand instances two share one a few times in a hundred runs (the agent rightly lists
     * such an address once). EC2 never does that inside a VPC, so the fleet takes the next address of
     * 172.31.0.0/16 instead, as in a default VPC. Never reset, so no address comes back.
     */
    private final AtomicInteger addresses = new AtomicInteger();

    /** The emulator's endpoint, on a loopback address. */
    public abstract URI endpoint();

    /** Its name for messages: moto, localstack. */
    public abstract String name();

    public abstract boolean supports(Feature feature);

    /** Forgets every resource, so each test builds its own fleet. */
    public abstract void reset();

    @Override
    public abstract void close();

    /** The SDK settings a test agent needs to reach this emulator: endpoint, region, credentials. */
    public Map<String, String> env() {
        return env(ACCESS_KEY, SECRET_KEY);
    }

    public Map<String, String> env(String accessKey, String secretKey) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", endpoint().toString());
        env.put("AWS_REGION", REGION);
        env.put("AWS_ACCESS_KEY_ID", accessKey);
        env.put("AWS_SECRET_ACCESS_KEY", secretKey);
        return env;
    }

    public Ec2Client ec2() {
        return ec2(ACCESS_KEY, SECRET_KEY);
    }

    public Ec2Client ec2(String accessKey, String secretKey) {
        return Ec2Client.builder().endpointOverride(endpoint()).region(Region.of(REGION))
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(credentials(accessKey, secretKey))
                .build();
    }

    public AutoScalingClient autoScaling() {
        return autoScaling(ACCESS_KEY, SECRET_KEY);
    }

    public AutoScalingClient autoScaling(String accessKey, String secretKey) {
        return AutoScalingClient.builder().endpointOverride(endpoint()).region(Region.of(REGION))
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(credentials(accessKey, secretKey))
                .build();
    }

    public IamClient iam(String accessKey, String secretKey) {
        return IamClient.builder().endpointOverride(endpoint()).region(Region.AWS_GLOBAL)
                .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(credentials(accessKey, secretKey))
                .build();
    }

    /** 172.31.1.1 ... 172.31.1.250, 172.31.2.1, ...: unique for this emulator's life. */
    public String nextAddress() {
        int n = addresses.getAndIncrement();
        if (n >= 254 * 250) {
            throw new IllegalStateException(name() + ": out of test addresses");
        }
        return "172.31." + (1 + n / 250) + "." + (1 + n % 250);
    }

    private static StaticCredentialsProvider credentials(String accessKey, String secretKey) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }
}
