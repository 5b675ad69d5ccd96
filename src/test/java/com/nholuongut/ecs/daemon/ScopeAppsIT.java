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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scope's app members in a real group: four agents in moto, {@code SCOPE_APPS=2}, each with its own Scope
 * fake; every agent picks the same two lowest instance ids as apps, and a member's Scope is relaunched only
 * when its own line changes. Instances are launched untagged first so that the test chooses which ids join
 * (moto's ids are random): one above the app set, one below it.
 */
@ExtendWith(Emulators.class)
class ScopeAppsIT {

    static final String TAG = "nholuongut:peerGroupName";
    static final Duration SEEN = Duration.ofSeconds(20);

    @TempDir
    Path work;

    record Agent(String id, String address, FakeTools tools, AgentProcess process) {
        List<List<String>> scopeCalls() {
            return tools.calls().stream().filter(c -> c.get(0).equals("scope")).toList();
        }

        List<String> lastScopeLaunch() {
            return tools.scopeState().args();
        }
    }

    static List<String> line(boolean app, List<String> targets) {
        List<String> args = new ArrayList<>(app ? List.of("--probe.ecs=true") : List.of("--no-app", "--probe.ecs=true"));
        args.addAll(targets);
        return args;
    }

    @Test
    void run_scopeApps2_lowestIdsServeTheApp_andOnlyChangedLinesRelaunch(AwsEmulator moto) throws Exception {
        moto.reset();
        List<Agent> agents = new ArrayList<>();
        List<AgentHost> hosts = new ArrayList<>();
        try (Fleet fleet = new Fleet(moto)) {
            List<String> ids = new ArrayList<>(fleet.launch(6, Map.of()));
            ids.sort(null);
            String lowest = ids.get(0);
            String highest = ids.get(5);
            List<String> members = ids.subList(1, 5);
            for (String id : members) {
                fleet.ec2().createTags(b -> b.resources(id).tags(t -> t.key(TAG).value("scope")));
            }
            for (int i = 0; i < members.size(); i++) {
                String id = members.get(i);
                AgentHost host = new AgentHost(work.resolve("agent" + i), id, fleet.address(id));
                hosts.add(host);
                Map<String, String> env = host.env(moto, moto.endpoint());
                env.put("NHOLUONGUT_REFRESH_INTERVAL", "1s");
                env.put("NHOLUONGUT_API_BUDGET", "100");
                env.put("NHOLUONGUT_SCOPE_APPS", "2");
                agents.add(new Agent(id, fleet.address(id), host.tools(), AgentProcess.start(host.dir(), env, "run", "--verbose")));
            }
            Agent a1 = agents.get(0);
            Agent a2 = agents.get(1);
            Agent a3 = agents.get(2);
            Agent a4 = agents.get(3);

            // The two lowest ids run the app and report to each other; the others report to both.
            List<String> apps = sorted(a1.address(), a2.address());
            assertLines(Map.of(a1, line(true, List.of(a2.address())), a2, line(true, List.of(a1.address())),
                    a3, line(false, apps), a4, line(false, apps)));
            assertThat(agents).allMatch(a -> a.scopeCalls().size() == 2, "one stop and one launch each");

            // A member joining above the app set changes nobody's line: no Scope command anywhere.
            fleet.ec2().createTags(b -> b.resources(highest).tags(t -> t.key(TAG).value("scope")));
            String highAddress = fleet.address(highest);
            for (Agent a : agents) {
                assertThat(await(() -> a.process().stdout().contains("added [" + highAddress + "]"), SEEN))
                        .as(a.process().stdout()).isTrue();
            }
            awaitRefreshes(agents);
            assertThat(agents).allMatch(a -> a.scopeCalls().size() == 2, "no Scope command for a non-app joiner");

            // A lower id joining becomes an app: a2 stops being one, every line changes once.
            fleet.ec2().createTags(b -> b.resources(lowest).tags(t -> t.key(TAG).value("scope")));
            String lowAddress = fleet.address(lowest);
            List<String> shifted = sorted(lowAddress, a1.address());
            assertLines(Map.of(a1, line(true, List.of(lowAddress)), a2, line(false, shifted), a3, line(false, shifted),
                    a4, line(false, shifted)));
            awaitRefreshes(agents);
            assertThat(agents).allMatch(a -> a.scopeCalls().size() == 4, "one relaunch each, at most once");

            // An app member leaving: the set shifts back to a2.
            fleet.terminate(a1.id());
            List<String> after = sorted(lowAddress, a2.address());
            assertLines(Map.of(a2, line(true, List.of(lowAddress)), a3, line(false, after), a4, line(false, after)));
        } finally {
            agents.forEach(a -> a.process().close());
            hosts.forEach(AgentHost::close);
        }
    }

    static List<String> sorted(String... addresses) {
        return Stream.of(addresses).sorted(Addresses.NUMERIC).toList();
    }

    static void assertLines(Map<Agent, List<String>> expected) throws InterruptedException {
        for (Map.Entry<Agent, List<String>> e : expected.entrySet()) {
            Agent a = e.getKey();
            assertThat(await(() -> a.tools().scopeState().running() && a.lastScopeLaunch().equals(e.getValue()),
                    SEEN)).as("%s: %s (calls %s)", a.id(), e.getValue(), a.scopeCalls()).isTrue();
        }
    }

    /**
     * Waits for two more refreshes of every agent (counted from now for all of them, as they refresh side by
     * side): any Scope command the last change asked for is made by then.
     */
    static void awaitRefreshes(List<Agent> agents) throws InterruptedException {
        List<Integer> targets = agents.stream().map(a -> a.process().lines("DEBUG refresh ") + 2).toList();
        for (int i = 0; i < agents.size(); i++) {
            AgentProcess p = agents.get(i).process();
            int target = targets.get(i);
            assertThat(await(() -> p.lines("DEBUG refresh ") >= target, SEEN)).as(p.stdout()).isTrue();
        }
    }
}
