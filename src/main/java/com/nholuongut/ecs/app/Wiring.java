package com.nholuongut.ecs.app;

import com.nholuongut.ecs.UsageException;
import com.nholuongut.ecs.aws.AwsClients;
import com.nholuongut.ecs.aws.AwsTimeouts;
import com.nholuongut.ecs.aws.HttpClients;
import com.nholuongut.ecs.aws.IdentityFlags;
import com.nholuongut.ecs.aws.ImdsIdentity;
import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.cli.Services;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.discovery.AwsPeerSource;
import com.nholuongut.ecs.discovery.Ec2Discovery;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.discovery.StaticPeerSource;
import com.nholuongut.ecs.doctor.Check;
import com.nholuongut.ecs.doctor.Doctor;
import com.nholuongut.ecs.doctor.DoctorSeams;
import com.nholuongut.ecs.doctor.PortProbe;
import com.nholuongut.ecs.launch.SystemProcessRunner;
import com.nholuongut.ecs.launch.Tools;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * The one place that builds what the commands use: the instance identity (flags or IMDSv2), the HTTP and
 * AWS clients, the peer source, the tools and the doctor's seams.
 */
final class Wiring implements Services {

    private static final Logger log = LoggerFactory.getLogger(Wiring.class);
    private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-zA-Z]{1,32}");
    /** IMDS answers in milliseconds on an instance: short timeouts, so a silent one fails within 30 s. */
    private static final Duration IMDS_READ = Duration.ofSeconds(4);

    private final Map<String, String> env;
    private final AwsClients.Settings aws;
    private final PortProbe probe;
    private final HttpClients http = new HttpClients();

    /**
     * @param env   the environment: the agent's own settings ({@code NHOLUONGUT_*}), {@code AWS_REGION} for
     *              {@code --instance-id}, the metadata endpoint
     * @param aws   AWS endpoint and credentials: the SDK's standard settings, or a test's emulator
     * @param probe how {@code doctor} checks peer ports
     */
    Wiring(Map<String, String> env, AwsClients.Settings aws, PortProbe probe) {
        this.env = Map.copyOf(env);
        this.aws = aws;
        this.probe = probe;
    }

    @Override
    public Map<String, String> env() {
        return env;
    }

    @Override
    public PeerSource peerSource(IdentityFlags flags, AgentConfig config, AwsTimeouts timeouts) {
        if (config.isStatic()) {
            return new StaticPeerSource(staticIdentity(flags), config.staticPeers(), StaticPeerSource.localAddresses());
        }
        // The AWS clients' HTTP client (the CA store, TLS) does not depend on the region: it is made on another
        // thread while IMDS is read on this one, which leaves the instance's second vCPU idle otherwise.
        CompletableFuture<SdkHttpClient> awsHttp = CompletableFuture.supplyAsync(
                () -> http.client(timeouts.attempt()), Wiring::setupThread);
        InstanceIdentity self;
        try {
            self = identity(flags, config);
        } catch (RuntimeException e) {
            awsHttp.thenAccept(SdkHttpClient::close); // once made; the identity's failure is reported now
            throw e;
        }
        log.debug("identity: instance {} in {}, address {}", self.instanceId(), self.region(), self.address());
        AwsClients clients = clients(self.region(), made(awsHttp), timeouts, config);
        return new AwsPeerSource(clients, new Ec2Discovery(clients.ec2(), clients::autoScaling,
                config.discoverySettings()), self);
    }

    @Override
    public Tools tools(AgentConfig config) {
        return new Tools(config, new SystemProcessRunner());
    }

    @Override
    public List<Check> doctor(IdentityFlags flags, AgentConfig config) {
        Tools tools = tools(config);
        return new Doctor(config, new DoctorSeams() {
            @Override
            public InstanceIdentity identity() {
                return Wiring.this.identity(flags, config);
            }

            @Override
            public boolean identityFromFlags() {
                return flags.instanceId() != null;
            }

            @Override
            public AwsClients awsClients(String region) {
                // Each check may wait as long as discover would for a slow answer.
                AwsTimeouts timeouts = AwsTimeouts.within(config.get(ConfigKey.DISCOVER_TIMEOUT));
                return clients(region, http.client(timeouts.attempt()), timeouts, config);
            }

            @Override
            public Ec2Discovery ec2Discovery(AwsClients clients) {
                return new Ec2Discovery(clients.ec2(), clients::autoScaling, config.discoverySettings());
            }

            @Override
            public Tools tools() {
                return tools;
            }

            @Override
            public PortProbe probe() {
                return probe;
            }
        }).run();
    }

    private AwsClients clients(String region, SdkHttpClient client, AwsTimeouts timeouts, AgentConfig config) {
        try {
            return AwsClients.create(region, client, aws, timeouts, config.get(ConfigKey.IMDS_V1_FALLBACK));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private static void setupThread(Runnable task) {
        Thread thread = new Thread(task, "aws-http-setup");
        thread.setDaemon(true);
        thread.start();
    }

    /** The HTTP client made on the set-up thread, or what stopped it. */
    private static SdkHttpClient made(CompletableFuture<SdkHttpClient> task) {
        try {
            return task.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Our identity: from the flags off-instance, else from IMDSv2 (with {@code --region} still winning). */
    private InstanceIdentity identity(IdentityFlags flags, AgentConfig config) {
        if (flags.instanceId() != null) {
            if (!INSTANCE_ID.matcher(flags.instanceId()).matches()) {
                throw new UsageException("--instance-id: '" + flags.instanceId() + "' is not an instance id");
            }
            String region = region(flags);
            if (region == null) {
                throw new UsageException("--instance-id needs --region or AWS_REGION");
            }
            return new InstanceIdentity(flags.instanceId(), region, null);
        }
        try (SdkHttpClient client = http.metadataClient(IMDS_READ);
             ImdsIdentity imds = new ImdsIdentity(ImdsIdentity.endpointFrom(env),
                     config.get(ConfigKey.IMDS_V1_FALLBACK), client)) {
            InstanceIdentity fromImds = imds.read();
            return flags.region() == null ? fromImds : new InstanceIdentity(fromImds.instanceId(), flags.region(),
                    fromImds.address(), fromImds.imdsV2Failed());
        }
    }

    /**
     * With static peers our identity is only informative and no metadata service is asked (the list is
     * meant to work anywhere): it comes from {@code --instance-id}/{@code --region} when given.
     */
    private InstanceIdentity staticIdentity(IdentityFlags flags) {
        return new InstanceIdentity(flags.instanceId(), region(flags), null);
    }

    private String region(IdentityFlags flags) {
        for (String v : new String[] {flags.region(), env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION")}) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }
}
