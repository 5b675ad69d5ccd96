package com.nholuongut.ecs.daemon;

import static com.nholuongut.ecs.testing.AgentProcess.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.discovery.Addresses;
import com.nholuongut.ecs.testing.AgentHost;
import com.nholuongut.ecs.testing.AgentProcess;
import com.nholuongut.ecs.testing.FakeTools;
import com.nholuongut.ecs.testing.Fleet;
import com.nholuongut.ecs.testing.AwsEmulator;
import com.nholuongut.ecs.testing.Emulators;
import com.nholuongut.ecs.testing.RecordingProxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * EC2 on a bad day, in front of moto: {@code DescribeInstances} answering a page in 15 s (as field reports
 * say EC2 does for large filtered groups), and throttling at first boot. The delay is the proxy's, never
 * moto's own speed, so these tests mean the same on a fast machine and a slow one.
 */
@ExtendWith(Emulators.class)
class SlowEc2IT {

    static final String TAG = "nholuongut:peerGroupName";
    static final Duration PAGE = Duration.ofSeconds(15);

    @TempDir
    Path work;
    AwsEmulator moto;
    Fleet fleet;
    FakeTools tools;
    RecordingProxy proxy;
    AgentHost host;
    List<String> group;
    AgentProcess agent;

    @BeforeEach
    void setUp(AwsEmulator moto) throws Exception {
        this.moto = moto;
        moto.reset();
        fleet = new Fleet(moto);
        proxy = new RecordingProxy(moto.endpoint());
        group = fleet.tagged(TAG, "blue", 4);
        host = new AgentHost(work, group.get(0), fleet.address(group.get(0)));
        tools = host.tools();
    }

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        host.close();
        proxy.close();
        fleet.close();
    }

    Map<String, String> env() throws Exception {
        Map<String, String> env = host.env(moto, proxy.endpoint());
        env.put("NHOLUONGUT_REFRESH_INTERVAL", "10s");
        env.put("NHOLUONGUT_API_BUDGET", "100");
        return env;
    }

    List<String> peers() {
        return fleet.addresses(group.subList(1, 4)).stream().sorted(Addresses.NUMERIC).toList();
    }

    List<String> launchLine() {
        List<String> launch = new ArrayList<>(List.of("nholuongut", "launch", "--ipalloc-init", "consensus=4"));
        launch.addAll(peers());
        return launch;
    }

    @Test
    void discover_pagesAnsweringIn15s_areWaitedForAndGiveTheRightPeers() throws Exception {
        proxy.delay("DescribeInstances", PAGE);
        long t0 = System.nanoTime();

        agent = AgentProcess.start(work, env(), "discover");
        int code = agent.waitFor(Duration.ofSeconds(90));

        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        System.out.printf("discover with %d s pages: %d ms%n", PAGE.toSeconds(), took.toMillis());
        assertThat(code).as(agent.stderr()).isZero();
        assertThat(agent.stdout().lines().toList()).isEqualTo(peers());
        assertThat(took).isGreaterThanOrEqualTo(PAGE);
    }

    @Test
    void discover_slowerThanItsDeadline_exits5SayingSoWithinTheDeadline() throws Exception {
        proxy.delay("DescribeInstances", Duration.ofSeconds(60));
        long t0 = System.nanoTime();

        agent = AgentProcess.start(work, env(), "discover", "--timeout", "4s");
        int code = agent.waitFor(Duration.ofSeconds(30));

        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(code).isEqualTo(5);
        assertThat(agent.stderr()).hasLineCount(1).contains("did not answer within DISCOVER_TIMEOUT=4s");
        assertThat(took).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void discover_endpointRefusingConnections_exits5Within30s() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Map<String, String> env = env();
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:" + closed);
        long t0 = System.nanoTime();

        agent = AgentProcess.start(work, env, "discover");
        int code = agent.waitFor(Duration.ofSeconds(60));

        assertThat(code).as(agent.stderr()).isEqualTo(5);
        assertThat(agent.stderr()).hasLineCount(1).contains("cannot reach AWS for ec2:DescribeTags");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void run_pagesAnsweringIn15s_launchWithEveryPeer() throws Exception {
        proxy.delay("DescribeInstances", PAGE);
        long t0 = System.nanoTime();

        agent = AgentProcess.start(work, env(), "run");

        assertThat(await(() -> tools.calls().contains(launchLine()), Duration.ofSeconds(90))).as(agent.stdout())
                .isTrue();
        System.out.printf("run with %d s pages: start to launch %d ms%n", PAGE.toSeconds(),
                Duration.ofNanos(System.nanoTime() - t0).toMillis());
        assertThat(tools.router().targets()).isEqualTo(peers());
        assertThat(tools.calls()).as("never a launch with fewer peers").filteredOn(c -> c.contains("launch")
                && c.get(0).equals("nholuongut")).hasSize(1);
        assertThat(agent.stdout()).doesNotContain("WARN");
    }

    @Test
    void run_sigtermWhileASlowPageIsInFlight_exits0WithinFiveSeconds() throws Exception {
        Map<String, String> env = env();
        env.put("NHOLUONGUT_REFRESH_INTERVAL", "1s");
        agent = AgentProcess.start(work, env, "run");
        assertThat(await(() -> tools.router().running(), Duration.ofSeconds(30))).as(agent.stdout()).isTrue();
        proxy.delay("DescribeInstances", Duration.ofSeconds(60));
        proxy.clear();
        // Seen by the proxy, which holds it for 60 s: the page is in flight.
        assertThat(await(() -> proxy.actions().contains("DescribeInstances"), Duration.ofSeconds(10))).isTrue();

        long t0 = System.nanoTime();
        int code = agent.terminate(Duration.ofSeconds(10));

        assertThat(code).as(agent.stdout()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    /**
     * Throttled from the first call for three discoveries: nothing is launched meanwhile (a lone Net would split
     * the network for good), then Net is launched once with the whole group. The calls made meanwhile are
     * bounded: one discovery is at most 3 attempts (the SDK's adaptive retry strategy), and after a throttled
     * discovery the agent waits a whole effective interval (here 2 s) on top of its backoff, so the two waits
     * between the three take at least 4 s ({@link DaemonLoopTest} checks each wait on a virtual clock).
     */
    @Test
    void run_throttledAtFirstBoot_launchesNothingUntilItEnds_thenTheWholeGroup() throws Exception {
        Map<String, String> env = env();
        env.put("NHOLUONGUT_REFRESH_INTERVAL", "2s");
        proxy.throttleEvery(1);

        agent = AgentProcess.start(work, env, "run", "--verbose");
        assertThat(await(() -> agent.stdout().contains("throttled"), Duration.ofSeconds(30))).as(agent.stdout())
                .isTrue();
        long t0 = System.nanoTime();
        // The third throttled discovery (the first is logged at WARN, the next ones at DEBUG).
        assertThat(agent.awaitMore("DEBUG discovery failed again", 2, Duration.ofSeconds(60))).as(agent.stdout())
                .isTrue();
        int throttled = proxy.throttledCount();
        double seconds = (System.nanoTime() - t0) / 1e9;

        assertThat(tools.calls()).as("nothing launched while throttled").containsOnly(List.of("nholuongut", "status"));
        assertThat(agent.stdout()).containsOnlyOnce("not launching nholuongut Net until AWS answers");
        System.out.printf("throttled at first boot: %d requests in %.1f s%n", throttled, seconds);
        assertThat(throttled).as("requests of three discoveries").isLessThanOrEqualTo(3 * 3);
        assertThat(seconds).as("two waits of an interval plus backoff").isGreaterThanOrEqualTo(4);

        proxy.throttleEvery(0);

        assertThat(await(() -> tools.calls().contains(launchLine()), Duration.ofSeconds(60))).as(agent.stdout())
                .isTrue();
        assertThat(tools.router().targets()).isEqualTo(peers());
        assertThat(agent.stdout()).contains("discovery works again");
    }
}
