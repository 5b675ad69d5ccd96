package com.nholuongut.ecs.daemon;

import static com.nholuongut.ecs.testing.AgentProcess.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.testing.AgentHost;
import com.nholuongut.ecs.testing.AgentProcess;
import com.nholuongut.ecs.testing.FakeTools;
import com.nholuongut.ecs.testing.Fleet;
import com.nholuongut.ecs.testing.AwsEmulator;
import com.nholuongut.ecs.testing.Emulators;
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
 * Three agents of one group against moto: a terminated member's address space is reclaimed by exactly one
 * of them (the lowest instance id), once, after the grace period; never for a stopped-then-started member,
 * never during an API outage, and not again after a restart.
 */
@ExtendWith(Emulators.class)
class ReclaimIT {

    static final String TAG = "nholuongut:peerGroupName";

    @TempDir
    Path work;

    record Agent(String id, AgentHost host, Map<String, String> env) {
        FakeTools tools() {
            return host.tools();
        }

        Path state() {
            return host.stateDir();
        }

        long rmpeers() {
            return tools().calls().stream().filter(c -> c.size() > 1 && c.get(1).equals("rmpeer")).count();
        }
    }

    /**
     * A router report as Net would give it on one agent: itself, and three peers that own address space but
     * are gone from its topology: one on the victim's host, one on a host that is only stopped, and one
     * whose host name a live member has now (an address reused by EC2).
     */
    static String report(String ownName, String ownNick, String victimNick, String stoppedNick, String liveNick) {
        return "{\"Router\": {\"Name\": \"" + ownName + "\", \"NickName\": \"" + ownNick + "\", \"Peers\": ["
                + "{\"Name\": \"" + ownName + "\", \"NickName\": \"" + ownNick + "\", \"Connections\": []}]},"
                + " \"IPAM\": {\"Entries\": ["
                + entry(ownName, ownNick, 65536, true)
                + "," + entry("dd:dd:dd:dd:dd:dd", victimNick, 4096, false)
                + "," + entry("cc:cc:cc:cc:cc:cc", stoppedNick, 2048, false)
                + "," + entry("bb:bb:bb:bb:bb:bb", liveNick, 1024, false) + "]}}";
    }

    static String entry(String peer, String nick, long size, boolean known) {
        return "{\"Token\": \"10.32.0.0\", \"Size\": " + size + ", \"Peer\": \"" + peer + "\", \"Nickname\": \""
                + nick + "\", \"IsKnownPeer\": " + known + "}";
    }

    static String hostname(String dnsName) {
        return dnsName.substring(0, dnsName.indexOf('.'));
    }

    @Test
    void reclaim_terminatedMember_exactlyOnceByTheLowestSurvivor(AwsEmulator moto) throws Exception {
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
                String sleeperNick = hostname(fleet.describe(sleeper).privateDnsName());
                String liveNick = hostname(fleet.describe(ids.get(1)).privateDnsName());
                for (int i = 0; i < 3; i++) {
                    String id = ids.get(i);
                    AgentHost host = new AgentHost(work.resolve("agent" + i), id, fleet.address(id));
                    host.tools().stdout("nholuongut", "report", report("aa:aa:aa:aa:aa:0" + i,
                            hostname(fleet.describe(id).privateDnsName()), victimNick, sleeperNick, liveNick));
                    Map<String, String> env = host.env(moto, proxy.endpoint());
                    env.put("NHOLUONGUT_RECLAIM_DEPARTED", "true");
                    env.put("NHOLUONGUT_REFRESH_INTERVAL", "1s");
                    env.put("NHOLUONGUT_API_BUDGET", "100");
                    Agent agent = new Agent(id, host, env);
                    agents.add(agent);
                    processes.add(AgentProcess.start(host.dir(), env, "run", "--verbose"));
                }
                for (Agent a : agents) {
                    assertThat(await(() -> a.tools().calls().size() >= 3, Duration.ofSeconds(20))).isTrue();
                }

                // A stopped member's router is gone, but its host is not: never reclaimed.
                String sleeperAddress = fleet.address(sleeper);
                fleet.stop(sleeper);
                for (AgentProcess p : processes) {
                    assertThat(await(() -> p.stdout().contains("removed [" + sleeperAddress + "]"),
                            Duration.ofSeconds(30))).isTrue();
                }
                // Past the two checks that a reclaim would need: the next refreshes of every agent.
                awaitMore(processes, "DEBUG refresh ", 3);
                assertThat(agents).allMatch(a -> a.rmpeers() == 0);
                fleet.start(sleeper);

                // During an API outage nothing is decided, whatever happens to the fleet.
                String victimAddress = fleet.address(victim);
                proxy.down(true);
                fleet.terminate(victim);
                // Two failed discoveries of every agent (the first logged at WARN, the next at DEBUG).
                awaitMore(processes, "DEBUG discovery failed again", 1);
                assertThat(agents).allMatch(a -> a.rmpeers() == 0);
                proxy.down(false);

                Agent lowest = agents.get(0);
                // Up to 60 s: the agents may sit in a backoff wait (full jitter, doubling per failure).
                assertThat(await(() -> lowest.rmpeers() == 1, Duration.ofSeconds(60)))
                        .as(processes.get(0).stdout()).isTrue();
                awaitMore(processes, "DEBUG refresh ", 3);
                // Exactly one rmpeer, by the lowest member, for the victim only: not for the stopped host, not
                // for the live member that has a dead peer's host name.
                assertThat(agents).extracting(Agent::rmpeers).containsExactly(1L, 0L, 0L);
                assertThat(lowest.tools().calls()).contains(List.of("nholuongut", "rmpeer", "dd:dd:dd:dd:dd:dd"));

                // The grace period: two consecutive checks found the host gone before rmpeer ran.
                String log = processes.get(0).stdout();
                int first = log.indexOf("no instance has host " + victimNick + " (check 1 of 2)");
                int second = log.indexOf("no instance has host " + victimNick + " (check 2 of 2)");
                int reclaimedAt = log.indexOf("INFO  reclaimed the address space of departed peer dd:dd:dd:dd:dd:dd");
                assertThat(first).as(log).isPositive();
                assertThat(second).isGreaterThan(first);
                assertThat(reclaimedAt).isGreaterThan(second);
                assertThat(log.substring(first, second)).contains("DEBUG refresh ");
                assertThat(log.substring(reclaimedAt)).startsWith("INFO  reclaimed the address space of departed"
                        + " peer dd:dd:dd:dd:dd:dd (host " + victimNick + ", instance " + victim + ", address "
                        + victimAddress + "): 4096 address(es) taken over");
                assertThat(log).doesNotContain("no instance has host " + sleeperNick)
                        .doesNotContain("no instance has host " + liveNick);
                assertThat(Files.readString(lowest.state().resolve("reclaimed.json"))).contains("dd:dd:dd:dd:dd:dd");

                // A restart remembers (the report still lists the dead peer): no second rmpeer. The restarted
                // agent reads the report only when a member leaves: the third agent's instance, terminated
                // (its router is not in the report: nothing to reclaim for it).
                processes.get(0).terminate(Duration.ofSeconds(10));
                long reportsBefore = lowest.tools().calls().stream().filter(c -> c.contains("report")).count();
                AgentProcess restarted = AgentProcess.start(work.resolve("agent0"), lowest.env(), "run", "--verbose");
                processes.set(0, restarted);
                assertThat(await(() -> restarted.stdout().contains("DEBUG refresh 1:"), Duration.ofSeconds(20)))
                        .as(restarted.stdout()).isTrue();
                assertThat(lowest.tools().calls().stream().filter(c -> c.contains("report")).count())
                        .as("no report read at boot or while nothing changes").isEqualTo(reportsBefore);
                fleet.terminate(ids.get(2));
                assertThat(await(() -> lowest.tools().calls().stream().filter(c -> c.contains("report")).count()
                        > reportsBefore, Duration.ofSeconds(20))).as("the restarted agent looked again").isTrue();
                awaitMore(processes, "DEBUG refresh ", 3);
                assertThat(agents).extracting(Agent::rmpeers).containsExactly(1L, 0L, 0L);
            } finally {
                processes.forEach(AgentProcess::close);
                agents.forEach(a -> a.host().close());
            }
        }
    }

    /** Waits until every agent has logged {@code more} lines starting with {@code prefix} beyond those so far. */
    static void awaitMore(List<AgentProcess> processes, String prefix, int more) throws InterruptedException {
        List<Integer> targets = processes.stream().map(p -> p.lines(prefix) + more).toList();
        for (int i = 0; i < processes.size(); i++) {
            AgentProcess p = processes.get(i);
            int target = targets.get(i);
            assertThat(await(() -> p.lines(prefix) >= target, Duration.ofSeconds(60))).as(p.stdout()).isTrue();
        }
    }
}
