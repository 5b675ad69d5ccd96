package com.nholuongut.ecs.aws;

import com.nholuongut.ecs.Json;
import com.nholuongut.ecs.UnavailableException;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.imds.Ec2MetadataClient;
import software.amazon.awssdk.imds.Ec2MetadataClientException;
import software.amazon.awssdk.imds.Ec2MetadataRetryPolicy;

/**
 * The lifecycle paths of the instance metadata service, read with IMDSv2 through the SDK's
 * {@link Ec2MetadataClient} as the identity is: {@code autoscaling/target-lifecycle-state} (404 when the
 * instance is in no Auto Scaling group) and {@code spot/instance-action} (404 until a Spot interruption is
 * scheduled). Only a 404 says "not in a group": a target state that cannot be read is an error, so that a
 * slow metadata service never lets a warmed instance boot; a Spot notice that cannot be read is no notice.
 */
public final class ImdsLifecycle implements Lifecycle {

    static final String TARGET_STATE = "/latest/meta-data/autoscaling/target-lifecycle-state";
    static final String SPOT_ACTION = "/latest/meta-data/spot/instance-action";

    private static final Logger log = LoggerFactory.getLogger(ImdsLifecycle.class);

    private final Ec2MetadataClient client;

    /**
     * The endpoint is the SDK's to resolve, as for the identity; one retry: a warmed instance reads again in a
     * few seconds, and at SIGTERM the decision must be made within the stop's grace.
     *
     * @param http the HTTP client to use, the caller's: not closed here
     */
    public ImdsLifecycle(SdkHttpClient http) {
        this.client = Ec2MetadataClient.builder()
                .httpClient(http)
                .retryPolicy(Ec2MetadataRetryPolicy.builder().numRetries(1).build())
                .build();
    }

    @Override
    public Optional<String> targetState() {
        try {
            return Optional.of(client.get(TARGET_STATE).asString().strip()).filter(s -> !s.isEmpty());
        } catch (Ec2MetadataClientException e) {
            if (e.statusCode() == 404) {
                return Optional.empty(); // in no Auto Scaling group
            }
            throw new UnavailableException("instance metadata " + TARGET_STATE + " answered HTTP " + e.statusCode(), e);
        } catch (SdkClientException | IllegalStateException e) {
            throw new UnavailableException("instance metadata " + TARGET_STATE + ": " + e.getMessage(), e);
        }
    }

    /** The notice is JSON, {@code {"action": "terminate", "time": "..."}}; {@code stop} and {@code hibernate} keep the instance. */
    @Override
    public boolean spotTerminating() {
        Optional<String> notice = read(SPOT_ACTION);
        if (notice.isEmpty()) {
            return false;
        }
        try {
            Map<String, Object> json = Json.object(notice.get());
            return "terminate".equals(Json.string(json, "action"));
        } catch (IllegalArgumentException e) {
            log.debug("unreadable Spot instance action: {}", e.getMessage());
            return false;
        }
    }

    private Optional<String> read(String path) {
        try {
            return Optional.of(client.get(path).asString());
        } catch (SdkClientException | IllegalStateException e) {
            // 404 (not in a group, no notice), or the metadata service away: unknown.
            log.debug("instance metadata {}: {}", path, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
