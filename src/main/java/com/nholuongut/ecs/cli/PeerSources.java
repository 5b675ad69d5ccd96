package com.nholuongut.ecs.cli;

import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.discovery.AwsClients;
import com.nholuongut.ecs.discovery.AwsPeerSource;
import com.nholuongut.ecs.discovery.AwsTimeouts;
import com.nholuongut.ecs.discovery.Ec2Discovery;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.discovery.StaticPeerSource;
import com.nholuongut.ecs.metadata.ImdsIdentity;
import com.nholuongut.ecs.metadata.InstanceIdentity;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.SdkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the peer source a command uses from the configuration, the identity flags and the environment. */
final class PeerSources {

    private static final Logger log = LoggerFactory.getLogger(PeerSources.class);
    private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-zA-Z]{1,32}");
    private static final Duration IMDS_READ = Duration.ofSeconds(4);

    private PeerSources() {
    }

    /** Our identity: from the flags off-instance, else from IMDSv2 (with {@code --region} still winning). */
    static InstanceIdentity identity(CommonOptions options, AgentConfig config, Map<String, String> env) {
        if (options.instanceId != null) {
            if (!INSTANCE_ID.matcher(options.instanceId).matches()) {
                throw new UsageException("--instance-id: '" + options.instanceId + "' is not an instance id");
            }
            String region = firstNonBlank(options.region, env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"));
            if (region == null) {
                throw new UsageException("--instance-id needs --region or AWS_REGION");
            }
            return new InstanceIdentity(options.instanceId, region, null);
        }
        // IMDS answers in milliseconds on an instance: a client of its own with short timeouts, so that a
        // metadata service that does not answer fails discover well within 30 s.
        try (SdkHttpClient http = AwsClients.httpClient(IMDS_READ);
             ImdsIdentity imds = new ImdsIdentity(ImdsIdentity.endpointFrom(env), config.imdsV1Fallback(), http)) {
            InstanceIdentity fromImds = imds.read();
            return options.region == null ? fromImds
                    : new InstanceIdentity(fromImds.instanceId(), options.region, fromImds.address());
        }
    }

    /**
     * The static list when {@code PEERS} is set (no AWS call), else discovery through AWS with these
     * timeouts.
     */
    static PeerSource open(CommonOptions options, AgentConfig config, Map<String, String> env,
                           AwsTimeouts timeouts) {
        if (config.isStatic()) {
            return new StaticPeerSource(staticIdentity(options, env), config.staticPeers(),
                    StaticPeerSource.localAddresses());
        }
        InstanceIdentity self = identity(options, config, env);
        log.debug("identity: instance {} in {}, address {}", self.instanceId(), self.region(), self.address());
        SdkHttpClient http = AwsClients.httpClient(timeouts.attempt());
        try {
            AwsClients clients = AwsClients.create(self.region(), env, http, timeouts);
            return new AwsPeerSource(clients, new Ec2Discovery(clients.ec2(), clients::autoScaling, config), self);
        } catch (RuntimeException e) {
            http.close();
            throw e;
        }
    }

    /**
     * With static peers our identity is only informative and no metadata service is asked (the list is
     * meant to work anywhere): it comes from {@code --instance-id}/{@code --region} when given.
     */
    private static InstanceIdentity staticIdentity(CommonOptions options, Map<String, String> env) {
        return new InstanceIdentity(options.instanceId,
                firstNonBlank(options.region, env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION")), null);
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }
}
