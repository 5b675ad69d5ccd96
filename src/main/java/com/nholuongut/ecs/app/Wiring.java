package com.nholuongut.ecs.app;

import com.nholuongut.ecs.UsageException;
import com.nholuongut.ecs.aws.AwsClients;
import com.nholuongut.ecs.aws.AwsTimeouts;
import com.nholuongut.ecs.aws.HttpClients;
import com.nholuongut.ecs.aws.IdentityFlags;
import com.nholuongut.ecs.aws.ImdsIdentity;
import com.nholuongut.ecs.aws.ImdsLifecycle;
import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.aws.Lifecycle;
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
import java.util.ArrayList;
import java.util.HashMap;
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
 * AWS clients, the peer source, the tools and the doctor's seams; it closes the HTTP clients it made.
 */
final class Wiring implements Services, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Wiring.class);
    private static final Pattern INSTANCE_ID = Pattern.compile("i-[0-9a-zA-Z]{1,32}");
    /** IMDS answers in milliseconds on an instance: short timeouts, so a silent one fails within 30 s. */
    private static final Duration IMDS_READ = Duration.ofSeconds(4);
    /**
     * The SDK's own setting that keeps its instance-profile credentials on IMDSv2. Without it, a token request
     * that fails with anything but a 400 (a timeout, a 403 from a proxy, a 5xx) makes that provider read the
     * role's credentials without a token, i.e. with IMDSv1, where SPEC allows IMDSv1 only with
     * {@code IMDS_V1_FALLBACK=true}. The system property is read before {@code AWS_EC2_METADATA_V1_DISABLED}
     * and the profile's {@code ec2_metadata_v1_disabled}, so it holds whatever those say.
     */
    static final String IMDS_V1_DISABLED = "aws.disableEc2MetadataV1";

    private final Map<String, String> env;
    private final PortProbe probe;
    private final HttpClients http = new HttpClients();
    /** The AWS clients' HTTP clients, one per read timeout (a process uses one), made once and kept. */
    private final Map<Duration, CompletableFuture<SdkHttpClient>> awsHttp = new HashMap<>();
    private boolean imdsV1Settled;
    /** The metadata service's HTTP clients handed out for a lifecycle (the daemon's: one). */
    private final List<SdkHttpClient> metadataHttp = new ArrayList<>();

    /**
     * @param env   the environment: the agent's own settings ({@code NHOLUONGUT_*}), {@code AWS_REGION} for
     *              {@code --instance-id}; AWS endpoints, credentials and the metadata endpoint are the SDK's
     *              to read from the process
     * @param probe how {@code doctor} checks peer ports
     */
    Wiring(Map<String, String> env, PortProbe probe) {
        this.env = Map.copyOf(env);
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
        settleImdsV1(config);
        // Started before IMDS is read: see awsHttp. The daemon opens its source again after a failure; each
        // attempt builds new AWS clients, over the same HTTP client.
        CompletableFuture<SdkHttpClient> client = awsHttp(timeouts.attempt());
        InstanceIdentity self = identity(flags, config);
        log.debug("identity: instance {} in {}, address {}", self.instanceId(), self.region(), self.address());
        AwsClients clients = AwsClients.create(self.region(), made(timeouts.attempt(), client), timeouts);
        return new AwsPeerSource(clients, config.discoverySettings(), self);
    }

    @Override
    public Lifecycle lifecycle(IdentityFlags flags, AgentConfig config) {
        if (config.isStatic() || flags.instanceId() != null) {
            return Lifecycle.UNKNOWN;
        }
        SdkHttpClient client = http.metadataClient(IMDS_READ);
        synchronized (this) {
            metadataHttp.add(client);
        }
        return new ImdsLifecycle(client);
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
                settleImdsV1(config);
                return AwsClients.create(region, made(timeouts.attempt(), awsHttp(timeouts.attempt())), timeouts);
            }

            @Override
            public Ec2Discovery ec2Discovery(AwsClients clients) {
                return new Ec2Discovery(clients, config.discoverySettings());
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

    /**
     * Keeps the SDK's instance-profile credentials on IMDSv2 ({@link #IMDS_V1_DISABLED}) unless
     * {@code IMDS_V1_FALLBACK=true}. A setting of the whole JVM, so it is set here, once, before the first AWS
     * client, when the configuration is first known: the process has one configuration.
     */
    private synchronized void settleImdsV1(AgentConfig config) {
        if (!imdsV1Settled && !config.get(ConfigKey.IMDS_V1_FALLBACK)) {
            System.setProperty(IMDS_V1_DISABLED, "true");
        }
        imdsV1Settled = true;
    }

    /**
     * The AWS clients' HTTP client for {@code read}, being made or made. It loads the CA store and sets up TLS,
     * which does not depend on the region, so the first one is made on another thread while IMDS is read on
     * this one (the instance's second vCPU is idle otherwise: some 50 ms of a cold discover).
     */
    private synchronized CompletableFuture<SdkHttpClient> awsHttp(Duration read) {
        return awsHttp.computeIfAbsent(read, r -> CompletableFuture.supplyAsync(() -> http.client(r),
                Wiring::setupThread));
    }

    private static void setupThread(Runnable task) {
        Thread thread = new Thread(task, "aws-http-setup");
        thread.setDaemon(true);
        thread.start();
    }

    /** The HTTP client made on the set-up thread, or what stopped it (then the next attempt tries again). */
    private SdkHttpClient made(Duration read, CompletableFuture<SdkHttpClient> task) {
        try {
            return task.join();
        } catch (CompletionException e) {
            synchronized (this) {
                awsHttp.remove(read, task);
            }
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
             ImdsIdentity imds = new ImdsIdentity(config.get(ConfigKey.IMDS_V1_FALLBACK), client)) {
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

    /** Closes the HTTP clients made for AWS (one still being made is closed once it is) and for the lifecycle. */
    @Override
    public synchronized void close() {
        awsHttp.values().forEach(task -> task.thenAccept(SdkHttpClient::close));
        awsHttp.clear();
        metadataHttp.forEach(SdkHttpClient::close);
        metadataHttp.clear();
    }
}
