package com.nholuongut.ecs.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.iam.IamClient;

/** A running moto server and SDK clients pointed at it (for building fleets in tests). */
public final class Moto implements AutoCloseable {

    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY = "testing";
    public static final String SECRET_KEY = "testing";

    private final Process process;
    private final URI endpoint;
    private final Path log;
    /**
     * Addresses for {@link Fleet#launchOne}: outside a subnet moto picks a random 10.x address, and
     * among a thousand instances two share one a few times in a hundred runs (the agent rightly lists
     * such an address once). EC2 never does that inside a VPC, so the fleet takes the next address of
     * 172.31.0.0/16 instead, as in a default VPC. Never reset, so no address comes back.
     */
    private final java.util.concurrent.atomic.AtomicInteger addresses = new java.util.concurrent.atomic.AtomicInteger();

    Moto(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    public URI endpoint() {
        return endpoint;
    }

    public Path log() {
        return log;
    }

    /** The SDK settings a test agent needs to reach this moto: endpoint, region, credentials. */
    public Map<String, String> env() {
        return env(ACCESS_KEY, SECRET_KEY);
    }

    public Map<String, String> env(String accessKey, String secretKey) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ENDPOINT_URL", endpoint.toString());
        env.put("AWS_REGION", REGION);
        env.put("AWS_ACCESS_KEY_ID", accessKey);
        env.put("AWS_SECRET_ACCESS_KEY", secretKey);
        return env;
    }

    public Ec2Client ec2() {
        return ec2(ACCESS_KEY, SECRET_KEY);
    }

    public Ec2Client ec2(String accessKey, String secretKey) {
        return Ec2Client.builder().endpointOverride(endpoint).region(Region.of(REGION))
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    public AutoScalingClient autoScaling() {
        return autoScaling(ACCESS_KEY, SECRET_KEY);
    }

    public AutoScalingClient autoScaling(String accessKey, String secretKey) {
        return AutoScalingClient.builder().endpointOverride(endpoint).region(Region.of(REGION))
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    public IamClient iam(String accessKey, String secretKey) {
        return IamClient.builder().endpointOverride(endpoint).region(Region.AWS_GLOBAL)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    /** 172.31.1.1 ... 172.31.1.250, 172.31.2.1, ...: unique for this server's life. */
    public String nextAddress() {
        int n = addresses.getAndIncrement();
        if (n >= 254 * 250) {
            throw new IllegalStateException("moto: out of test addresses");
        }
        return "172.31." + (1 + n / 250) + "." + (1 + n % 250);
    }

    /** Forgets every resource (moto's reset API), so each test builds its own fleet. */
    public void reset() {
        try {
            HttpURLConnection c = (HttpURLConnection) endpoint.resolve("/moto-api/reset").toURL().openConnection();
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.getOutputStream().close();
            if (c.getResponseCode() != 200) {
                throw new IllegalStateException("moto reset answered " + c.getResponseCode());
            }
        } catch (IOException e) {
            throw new IllegalStateException("moto reset failed", e);
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(log);
        } catch (InterruptedException | IOException e) {
            process.destroyForcibly();
        }
    }
}
