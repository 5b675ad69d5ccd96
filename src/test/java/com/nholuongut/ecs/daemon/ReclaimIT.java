package com.nholuongut.ecs.daemon;

import static com.nholuongut.ecs.testing.AgentProcess.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.testing.AgentProcess;
import com.nholuongut.ecs.testing.FakeTools;
import com.nholuongut.ecs.testing.Fleet;
import com.nholuongut.ecs.testing.ImdsFixture;
import com.nholuongut.ecs.testing.Moto;
import com.nholuongut.ecs.testing.MotoServer;
import com.nholuongut.ecs.testing.RecordingProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three agents of one group against moto: a terminated member's address space is reclaimed by exactly one
 * of them (the lowest instance id), once, after the grace period; never for a stopped-then-started member,
 * never during an API outage, and not again after a restart.
 */
@ExtendWith(MotoServer.class)
class ReclaimIT {

    static final String TAG = "nholuongut:peerGroupName";

    @TempDir
    Path work;

    record Agent(String id, FakeTools tools, ImdsFixture imds, Path state, Map<String, String> env) {
        long rmpeers() {
            return tools.calls().stream().filter(c -> c.size() > 1 && c.get(1).equals("rmpeer")).count();
        }
    }

    static String report(String ownName, String ownNick, String deadNick) {
        return "{\"Router\": {\"Name\": \"" + ownName + "\", \"NickName\": \"" + ownNick + "\", \"Peers\": ["
                + "{\"Name\": \"" + ownName + "\", \"NickName\": \"" + ownNick + "\", \"Connections\": []}]},"
                + " \"IPAM\": {\"Entries\": ["
                + "{\"Token\": \"10.32.0.0\", \"Size\": 65536, \"Peer\": \"" + ownName + "\", \"Nickname\": \""
                + ownNick + "\", \"IsKnownPeer\": true},"
                + "{\"Token\": \"10.33.0.0\", \"Size\": 4096, \"Peer\": \"dd:dd:dd:dd:dd:dd\", \"Nickname\": \""
                + deadNick + "\", \"IsKnownPeer\": false}]}}";
    }

    static String hostname(String dnsName) {
        return dnsName.substring(0, dnsName.indexOf('.'));
    }

    @Test
    void reclaim_terminatedMember_exactlyOnceByTheLowestSurvivor(Moto moto) throws Exception {
        moto.reset();
        try (Fleet fleet = new Fleet(moto); RecordingProxy proxy = new RecordingProxy(moto.endpoint())) {
            List<String> ids = new ArrayList<>(fleet.tagged(TAG, "reclaim", 5));
            ids.sort(null);
            String victim = ids.get(3);
            String sleeper = ids.get(4);
            String victimNick = hostname(fleet.describe(victim).privateDnsName());
            List<Agent> agents = new ArrayList<>();
            List<AgentProcess> processes = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    String id = ids.get(i);
                    FakeTools tools = new FakeTools(work.resolve("agent" + i + "/bin"));
                    tools.stdout("nholuongut", "report", report("aa:aa:aa:aa:aa:0" + i,
                            hostname(fleet.describe(id).privateDnsName()), victimNick));
                    ImdsFixture imds = new ImdsFixture(id, Moto.REGION, fleet.address(id));
                    Path state = work.resolve("agent" + i + "/state");
                    Map<String, String> env = new HashMap<>(moto.env());
                    env.put("AWS_ENDPOINT_URL", proxy.endpoint().toString());
                    env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint().toString());
                    env.put("NHOLUONGUT_CONFIG_DIR", Files.createDirectories(work.resolve("agent" + i + "/etc"))
                            .toString());
                    env.put("NHOLUONGUT_NET_BIN", tools.net().toString());
                    env.put("NHOLUONGUT_SCOPE_BIN", tools.scope().toString());
                    env.put("NHOLUONGUT_STATE_DIR", state.toString());
                    env.put("NHOLUONGUT_REFRESH_INTERVAL", "1s");
                    env.put("NHOLUONGUT_API_BUDGET", "100");
                    Agent agent = new Agent(id, tools, imds, state, env);
                    agents.add(agent);
                    processes.add(AgentProcess.start(Files.createDirectories(work.resolve("agent" + i)), env,
                            "run", "--verbose"));
                }
                for (Agent a : agents) {
                    assertThat(await(() -> a.tools().calls().size() >= 3, Duration.ofSeconds(20))).isTrue();
                }

                // A stopped member leaves the list, but is not departed: started again, it is back.
                String sleeperAddress = fleet.address(sleeper);
                fleet.stop(sleeper);
                for (AgentProcess p : processes) {
                    assertThat(await(() -> p.stdout().contains("removed [" + sleeperAddress + "]"),
                            Duration.ofSeconds(15))).isTrue();
                }
                Thread.sleep(3500);
                fleet.start(sleeper);
                for (AgentProcess p : processes) {
                    assertThat(await(() -> p.stdout().contains("added [" + sleeperAddress + "]"),
                            Duration.ofSeconds(15))).isTrue();
                }

                // During an API outage nothing is decided, whatever happens to the fleet.
                proxy.down(true);
                String victimAddress = fleet.address(victim);
                fleet.terminate(victim);
                Thread.sleep(5000);
                assertThat(agents).allMatch(a -> a.rmpeers() == 0);
                proxy.down(false);

                Agent lowest = agents.get(0);
                assertThat(await(() -> lowest.rmpeers() == 1, Duration.ofSeconds(30)))
                        .as(processes.get(0).stdout()).isTrue();
                Thread.sleep(4000);
                assertThat(agents).extracting(Agent::rmpeers).containsExactly(1L, 0L, 0L);
                assertThat(lowest.tools().calls()).contains(List.of("nholuongut", "rmpeer", "dd:dd:dd:dd:dd:dd"));

                // The grace period: at least two refreshes saw the member gone before rmpeer ran.
                String log = processes.get(0).stdout();
                int removedAt = log.indexOf("removed [" + victimAddress + "]");
                int reclaimedAt = log.indexOf("reclaimed the address space of departed " + victim);
                assertThat(removedAt).isPositive();
                assertThat(reclaimedAt).isGreaterThan(removedAt);
                assertThat(log.substring(removedAt, reclaimedAt).split("DEBUG refresh ", -1).length - 1)
                        .isGreaterThanOrEqualTo(1);
                assertThat(log.substring(reclaimedAt)).startsWith("reclaimed the address space of departed "
                        + victim + " (" + victimAddress + ", peer dd:dd:dd:dd:dd:dd): 4096 address(es) taken over");
                assertThat(Files.readString(lowest.state().resolve("reclaimed.json"))).contains(victim);

                // A restart remembers: no second rmpeer.
                processes.get(0).terminate(Duration.ofSeconds(10));
                processes.set(0, AgentProcess.start(work.resolve("agent0"), lowest.env(), "run", "--verbose"));
                Thread.sleep(5000);
                assertThat(agents).extracting(Agent::rmpeers).containsExactly(1L, 0L, 0L);
                assertThat(agents).noneMatch(a -> a.tools().calls().stream()
                        .anyMatch(c -> c.contains("rmpeer") && c.toString().contains(sleeperAddress)));
            } finally {
                processes.forEach(AgentProcess::close);
                agents.forEach(a -> a.imds().close());
            }
        }
    }
}
