package com.nholuongut.ecs.aws;

import com.nholuongut.ecs.Json;
import com.nholuongut.ecs.UnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.imds.Ec2MetadataClient;
import software.amazon.awssdk.imds.Ec2MetadataRetryPolicy;

/**
 * Reads the instance identity from IMDSv2 through the SDK's {@link Ec2MetadataClient} (token first).
 * IMDSv1 is used only when the operator allowed it with {@code IMDS_V1_FALLBACK=true}.
 */
public final class ImdsIdentity implements AutoCloseable {

    static final String DOCUMENT_PATH = "/latest/dynamic/instance-identity/document";

    private static final Logger log = LoggerFactory.getLogger(ImdsIdentity.class);

    private final boolean v1Fallback;
    private final SdkHttpClient http;
    private final SeenEndpoint seen;
    private final Ec2MetadataClient client;

    /**
     * The metadata service's endpoint is the SDK's to resolve, from its standard settings (the system property
     * {@code aws.ec2MetadataServiceEndpoint}, {@code AWS_EC2_METADATA_SERVICE_ENDPOINT}, the profile's
     * {@code ec2_metadata_service_endpoint}, else the default of the endpoint mode, IPv4 or IPv6).
     *
     * @param v1Fallback whether a refused token request may fall back to IMDSv1
     * @param http       the HTTP client to use, the caller's: not closed here
     */
    public ImdsIdentity(boolean v1Fallback, SdkHttpClient http) {
        this.v1Fallback = v1Fallback;
        this.http = http;
        this.seen = new SeenEndpoint(http);
        // Few retries: IMDS answers in milliseconds on an instance, and discover must fail within 30 s off one.
        this.client = Ec2MetadataClient.builder()
                .httpClient(seen)
                .retryPolicy(Ec2MetadataRetryPolicy.builder().numRetries(2).build())
                .build();
    }

    /** Reads instance id, region and private address from the instance identity document. */
    public InstanceIdentity read() {
        String document;
        String v2Failed = null;
        try {
            document = client.get(DOCUMENT_PATH).asString();
        } catch (SdkClientException e) {
            if (!v1Fallback) {
                throw unavailable(e);
            }
            document = getWithoutToken(e);
            v2Failed = failure(e);
            log.warn("{}; read the identity with IMDSv1 instead, as IMDS_V1_FALLBACK=true allows", v2Failed);
        }
        Map<String, Object> json;
        try {
            json = Json.object(document);
        } catch (IllegalArgumentException e) {
            throw new UnavailableException("IMDS" + at() + " returned an identity document that is not JSON", e);
        }
        String id = Json.string(json, "instanceId");
        String region = Json.string(json, "region");
        String ip = Json.string(json, "privateIp");
        if (id == null || region == null) {
            throw new UnavailableException("IMDS" + at() + " returned an identity document without "
                    + "instanceId or region", null);
        }
        return new InstanceIdentity(id, region, ip, v2Failed);
    }

    /** The document without a token (IMDSv1), from where the SDK's client asked for one. */
    private String getWithoutToken(SdkClientException tokenFailure) {
        URI endpoint = seen.endpoint;
        if (endpoint == null) {
            throw unavailable(tokenFailure);
        }
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.GET)
                .uri(endpoint.resolve(DOCUMENT_PATH))
                .build();
        try {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(request).build())
                    .call();
            if (response.responseBody().isEmpty()) {
                throw unavailable(tokenFailure);
            }
            try (InputStream body = response.responseBody().get()) {
                String document = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                if (response.httpResponse().statusCode() / 100 != 2 || document.isEmpty()) {
                    throw unavailable(tokenFailure);
                }
                return document;
            }
        } catch (IOException e) {
            throw unavailable(tokenFailure);
        }
    }

    private UnavailableException unavailable(SdkClientException e) {
        return new UnavailableException(failure(e), e);
    }

    /** What went wrong with IMDSv2, in one line, with a hint where one is known. */
    private String failure(SdkClientException e) {
        String hint = "";
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            root = t;
            if (t instanceof SocketTimeoutException) {
                hint = " (a timed-out token request from a container usually means the instance's metadata"
                        + " hop limit is 1: set HttpPutResponseHopLimit to 2)";
                break;
            }
        }
        return "instance metadata (IMDSv2)" + at() + " failed: " + e.getMessage()
                + (root == e ? "" : " (" + root.getMessage() + ")") + hint;
    }

    /** Where the metadata service was asked, for a message: " at http://169.254.169.254", or "" if nowhere yet. */
    private String at() {
        URI endpoint = seen.endpoint;
        return endpoint == null ? "" : " at " + endpoint;
    }

    @Override
    public void close() {
        client.close();
    }

    /** Passes the SDK client's requests on to the caller's HTTP client and keeps the endpoint they went to. */
    // The SDK has no public way to tell which endpoint it resolved (Ec2MetadataConfigProvider is @SdkInternalApi,
    // SdkSystemSetting @SdkProtectedApi); the IMDSv1 fallback's tokenless GET must go where the token request
    // went, and the messages name it.
    private static final class SeenEndpoint implements SdkHttpClient {
        private final SdkHttpClient http;
        private volatile URI endpoint;

        SeenEndpoint(SdkHttpClient http) {
            this.http = http;
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            URI uri = request.httpRequest().getUri();
            endpoint = URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
            return http.prepareRequest(request);
        }

        @Override
        public void close() {
            // The caller's client: not closed here.
        }
    }
}
