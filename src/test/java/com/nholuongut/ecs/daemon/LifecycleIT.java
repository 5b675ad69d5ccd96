package com.nholuongut.ecs.daemon;

import static com.nholuongut.ecs.testing.AgentProcess.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.discovery.Addresses;
import com.nholuongut.ecs.testing.AgentHost;
import com.nholuongut.ecs.testing.AgentProcess;
import com.nholuongut.ecs.testing.AwsEmulator;
import com.nholuongut.ecs.testing.Emulators;
import com.nholuongut.ecs.testing.Fleet;
import com.nholuongut.ecs.testing.RecordingProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agent.jar run} through the Auto Scaling lifecycle (SPEC, "Auto Scaling lifecycle"), as processes
 * against moto, the metadata stand-in serving the target lifecycle state and the Spot notice, and the stand-in
 * tools sharing a modelled mesh of routers: a warmed instance asks AWS nothing and launches nothing until it is
 * put in service; a member that Auto Scaling terminates hands its address space over with {@code reset}, so no
 * survivor runs {@code rmpeer}; a reboot, a stop or an agent restart runs no {@code reset}.
 */
@ExtendWith(Emulators.class)
class LifecycleIT {

    static final String TAG = "nholuongut:peerGroupName";
    static final Duration SEEN = Duration.ofSeconds(30);

    @TempDir
    Path work;

    static List<String> launchLine(int consensus, List<String> peers) {
        List<String> line = new ArrayList<>(List.of("nholuongut", "launch", "--ipalloc-init", "consensus=" + consensus));
        line.addAll(peers.stream().sorted(Addresses.NUMERIC).toList());
        return line;
    }

    @Test
    void warmed_asksAwsNothingAndLaunchesNothing_readyAtOnce_thenOneLaunchWithTheGroupInService(AwsEmulator moto)
            throws Exception {
        moto.reset();
        try (Fleet fleet = new Fleet(moto); RecordingProxy proxy = new RecordingProxy(moto.endpoint())) {
            List<String> group = fleet.tagged(TAG, "warm", 4);
            String self = group.get(0);
            AgentHost host = new AgentHost(work.resolve("warm"), self, fleet.address(self));
            host.imds().targetState("Warmed:Running");
            Map<String, String> env = host.env(moto, proxy.endpoint());
            env.put("NOTIFY_SOCKET", "/run/systemd/notify-test");
            env.put("NHOLUONGUT_REFRESH_INTERVAL", "1s");
            try (AgentProcess agent = AgentProcess.start(host.dir(), env, "run")) {
                assertThat(await(() -> agent.stdout().contains("in the warm pool"), SEEN)).as(agent.stdout()).isTrue();
                // The state is read again (every 5 s): past the first wait, still warmed.
                int reads = host.imds().lifecycleReads();
                assertThat(await(() -> host.imds().lifecycleReads() > reads, SEEN)).isTrue();

                assertThat(proxy.actions()).as("AWS calls while warmed").isEmpty();
                assertThat(host.tools().calls()).as("ready at once, nothing else")
                        .containsExactly(List.of("systemd-notify", "--ready"));

                host.imds().targetState("InService");
                List<String> launch = launchLine(4, fleet.addresses(group.subList(1, 4)));
                assertThat(await(() -> host.tools().calls().contains(launch), SEEN)).as(agent.stdout()).isTrue();
                assertThat(host.tools().calls()).filteredOn(c -> c.get(0).equals("nholuongut") && c.get(1).equals("launch"))
                        .hasSize(1);
                System.out.printf("warm pool boot: %d AWS calls while warmed, %d at InService (%s)%n", 0,
                        proxy.actions().size(), proxy.actions());
                assertThat(agent.stdout()).contains("booting as a fresh instance");
            } finally {
                host.close();
            }
        }
    }

    @Test
    void terminated_resetsHandingItsSpaceToTheSurvivor_soNobodyRunsRmpeer_whileAReStartRunsNoReset(AwsEmulator moto)
            throws Exception {
        moto.reset();
        try (Fleet fleet = new Fleet(moto)) {
            List<String> ids = new ArrayList<>(fleet.tagged(TAG, "leave", 2));
            ids.sort(null);
            List<AgentHost> hosts = new ArrayList<>();
            List<AgentProcess> agents = new ArrayList<>();
            Path mesh = Files.createDirectories(work.resolve("mesh"));
            try {
                for (int i = 0; i < 2; i++) {
                    String id = ids.get(i);
                    AgentHost host = new AgentHost(work.resolve("agent" + i), id, fleet.address(id));
                    host.tools().mesh(mesh, "aa:aa:aa:aa:aa:0" + i,
                            fleet.describe(id).privateDnsName().split("\\.")[0]);
                    host.imds().targetState("InService");
                    hosts.add(host);
                    Map<String, String> env = host.env(moto, moto.endpoint());
                    env.put("NHOLUONGUT_REFRESH_INTERVAL", "1s");
                    env.put("NHOLUONGUT_RECLAIM_DEPARTED", "true");
                    agents.add(AgentProcess.start(host.dir(), env, "run", "--verbose"));
                }
                for (AgentHost h : hosts) {
                    assertThat(await(() -> h.tools().router().running(), SEEN)).isTrue();
                }
                AgentProcess survivor = agents.get(0);
                AgentProcess leaving = agents.get(1);

                // An agent restart (or a reboot, an upgrade): still InService, EC2 says running. No reset.
                assertThat(leaving.terminate(Duration.ofSeconds(10))).isZero();
                assertThat(hosts.get(1).tools().calls()).noneMatch(c -> c.contains("reset"));
                assertThat(hosts.get(1).tools().router().running()).as("Net keeps running, and its space").isTrue();
                leaving = AgentProcess.start(hosts.get(1).dir(), hosts.get(1).env(moto, moto.endpoint()), "run");
                agents.set(1, leaving);
                AgentProcess restarted = leaving;
                assertThat(await(() -> restarted.stdout().contains("already running"), SEEN)).isTrue();

                // Scale-in: Auto Scaling sets the target state, then the instance shuts down (SIGTERM first).
                hosts.get(1).imds().targetState("Terminated");
                long t0 = System.nanoTime();
                assertThat(leaving.terminate(Duration.ofSeconds(60))).as(leaving.stdout()).isZero();
                long took = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("SIGTERM to exit with nholuongut reset: %d ms%n", took);
                assertThat(hosts.get(1).tools().calls()).contains(List.of("nholuongut", "reset"));
                assertThat(leaving.stdout()).contains("INFO  target lifecycle state Terminated: nholuongut reset handed"
                        + " this router's address space to the surviving peers (1)");
                fleet.terminate(ids.get(1));

                // The survivor (the lowest id, the one that would reclaim) sees the departure and looks: nothing to
                // take back, since the leaver handed it all over.
                assertThat(await(() -> survivor.stdout().contains("removed [" + fleet.address(ids.get(1)) + "]"), SEEN))
                        .as(survivor.stdout()).isTrue();
                assertThat(await(() -> hosts.get(0).tools().calls().stream().filter(c -> c.contains("report")).count()
                        >= 3, SEEN)).as(survivor.stdout()).isTrue();
                assertThat(hosts.get(0).tools().calls()).noneMatch(c -> c.contains("rmpeer"));
                assertThat(Files.readString(mesh.resolve("aa:aa:aa:aa:aa:00.json")))
                        .as("the survivor owns the whole space").contains("\"owns\": 131072");
            } finally {
                agents.forEach(AgentProcess::close);
                hosts.forEach(AgentHost::close);
            }
        }
    }

    @Test
    void spotNoticeToTerminate_resets_lastMemberDoesNot(AwsEmulator moto) throws Exception {
        moto.reset();
        try (Fleet fleet = new Fleet(moto)) {
            List<String> group = fleet.tagged(TAG, "spot", 2);
            String self = group.get(0);
            AgentHost host = new AgentHost(work.resolve("spot"), self, fleet.address(self));
            Map<String, String> env = host.env(moto, moto.endpoint());
            env.put("NHOLUONGUT_REFRESH_INTERVAL", "1s");
            try {
                AgentProcess agent = AgentProcess.start(host.dir(), env, "run", "--verbose");
                assertThat(await(() -> host.tools().router().running(), SEEN)).as(agent.stdout()).isTrue();
                host.imds().spotAction("terminate");
                assertThat(agent.terminate(Duration.ofSeconds(60))).isZero();
                assertThat(host.tools().calls()).as(agent.stdout()).contains(List.of("nholuongut", "reset"));

                // Alone in its group: nothing to hand over, Net is left as it is.
                fleet.terminate(group.get(1));
                host.tools().netAlreadyRunning();
                AgentProcess alone = AgentProcess.start(host.dir(), env, "run");
                // Its boot done: Scope launched again (every agent start relaunches Scope once).
                assertThat(await(() -> host.tools().calls().stream().filter(c -> c.get(0).equals("scope")
                        && c.get(1).equals("launch")).count() >= 2, SEEN)).as(alone.stdout()).isTrue();
                int resets = (int) host.tools().calls().stream().filter(c -> c.contains("reset")).count();
                assertThat(alone.terminate(Duration.ofSeconds(60))).isZero();
                assertThat(host.tools().calls().stream().filter(c -> c.contains("reset")).count()).isEqualTo(resets);
                assertThat(alone.stdout()).contains("the group's last member, nothing to hand over");
            } finally {
                host.close();
            }
        }
    }
}
