package com.nholuongut.ecs.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.opentest4j.TestAbortedException;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;

/**
 * LocalStack in a container started by Testcontainers' {@code localstack} module: the second emulator, chosen
 * with {@code -Plocalstack} ({@code -Daws.emulator=localstack}). It needs a Docker engine; where none answers,
 * every emulator test is skipped with one line saying so. EC2 is in LocalStack's free image; Auto Scaling only
 * in its Pro image, used when {@code LOCALSTACK_AUTH_TOKEN} is set ({@code -Dlocalstack.image} picks another).
 * The free image is pinned at 4.14: LocalStack's current documentation asks for a licence (an auth token) for
 * any use, so newer images may refuse to start without one.
 */
final class LocalStack extends AwsEmulator {

    static final String IMAGE = "localstack/localstack:4.14";
    static final String PRO_IMAGE = "localstack/localstack-pro:4.14";

    private final LocalStackContainer container;
    private final URI endpoint;
    private final boolean pro;

    private LocalStack(LocalStackContainer container, URI endpoint, boolean pro) {
        this.container = container;
        this.endpoint = endpoint;
        this.pro = pro;
    }

    /** Starts the container, or aborts (skips) the caller's tests when no Docker engine answers. */
    static LocalStack start() {
        String why = noDocker();
        if (why != null) {
            throw new TestAbortedException(why);
        }
        String token = System.getenv("LOCALSTACK_AUTH_TOKEN");
        boolean pro = token != null && !token.isBlank();
        String image = System.getProperty("localstack.image", pro ? PRO_IMAGE : IMAGE);
        LocalStackContainer container = new LocalStackContainer(DockerImageName.parse(image)
                .asCompatibleSubstituteFor("localstack/localstack"))
                .withServices(pro ? new String[] {"ec2", "autoscaling"} : new String[] {"ec2"});
        if (pro) {
            container.withEnv("LOCALSTACK_AUTH_TOKEN", token);
        }
        container.start();
        URI endpoint = container.getEndpoint();
        try {
            if (!InetAddress.getByName(endpoint.getHost()).isLoopbackAddress()) {
                container.stop();
                throw new TestAbortedException("LocalStack answers on " + endpoint + ", not on loopback: the tests"
                        + " send nothing outside 127.0.0.0/8 (use a local Docker engine)");
            }
        } catch (IOException e) {
            container.stop();
            throw new IllegalStateException("cannot resolve LocalStack's host " + endpoint.getHost(), e);
        }
        return new LocalStack(container, endpoint, pro);
    }

    /** Why no Docker engine can run LocalStack here, or null when one answers. */
    private static String noDocker() {
        // Testcontainers logs every strategy it tries at ERROR: the one line the caller prints says it all. The
        // levels come back after the probe, so that a container that fails to start shows its log.
        List<Logger> quiet = List.of("org.testcontainers", "com.github.dockerjava", "tc").stream()
                .map(name -> (Logger) LoggerFactory.getLogger(name)).toList();
        List<Level> levels = quiet.stream().map(Logger::getLevel).toList();
        quiet.forEach(l -> l.setLevel(Level.OFF));
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } finally {
            for (int i = 0; i < quiet.size(); i++) {
                quiet.get(i).setLevel(levels.get(i));
            }
        }
        if (available) {
            return null;
        }
        String host = System.getenv("DOCKER_HOST");
        return "LocalStack needs a Docker engine for Testcontainers, and none answers here ("
                + (host != null ? "DOCKER_HOST=" + host
                : Files.exists(Path.of("/var/run/docker.sock")) ? "/var/run/docker.sock does not answer"
                : "no DOCKER_HOST, no /var/run/docker.sock") + "): the AWS emulator tests are skipped";
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public String name() {
        return "localstack";
    }

    @Override
    public boolean supports(Feature feature) {
        return feature == Feature.AUTO_SCALING && pro;
    }

    /**
     * The fleet taken down through the AWS API (moto's reset endpoint has no counterpart the tests rely on
     * here): every Auto Scaling Group (forced) and launch configuration deleted, every live instance
     * terminated, at most 1000 ids a call as EC2 allows. Terminated instances stay listed, as in EC2 for an
     * hour; the agent and the tests filter on state.
     */
    @Override
    public void reset() {
        if (pro) {
            try (AutoScalingClient asg = autoScaling()) {
                asg.describeAutoScalingGroups().autoScalingGroups().forEach(g -> asg.deleteAutoScalingGroup(
                        b -> b.autoScalingGroupName(g.autoScalingGroupName()).forceDelete(true)));
                for (var c : asg.describeLaunchConfigurations().launchConfigurations()) {
                    try {
                        asg.deleteLaunchConfiguration(b -> b.launchConfigurationName(c.launchConfigurationName()));
                    } catch (AutoScalingException inUse) {
                        // still attached to a group being deleted: its name is never reused by the tests
                    }
                }
            }
        }
        try (Ec2Client ec2 = ec2()) {
            List<String> live = new ArrayList<>();
            ec2.describeInstancesPaginator(b -> b.filters(f -> f.name("instance-state-name")
                    .values("pending", "running", "stopping", "stopped"))).reservations()
                    .forEach(r -> r.instances().stream().filter(i -> i.state().name() != InstanceStateName.TERMINATED)
                            .forEach(i -> live.add(i.instanceId())));
            for (int from = 0; from < live.size(); from += 1000) {
                List<String> chunk = live.subList(from, Math.min(live.size(), from + 1000));
                ec2.terminateInstances(b -> b.instanceIds(chunk));
            }
        }
    }

    @Override
    public void close() {
        container.stop();
    }
}
