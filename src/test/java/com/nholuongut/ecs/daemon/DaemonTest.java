package com.nholuongut.ecs.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.UnavailableException;
import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.GroupSource;
import com.nholuongut.ecs.discovery.Peer;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.launch.ProcessRunner;
import com.nholuongut.ecs.launch.Tools;
import com.nholuongut.ecs.state.PeerState;
import com.nholuongut.ecs.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's state machine in-process: boot and refresh steps driven one by one, AWS as a settable group,
 * and Net and Scope as a model that enforces the real scripts' command-line rules (as fake-tool.py does for
 * the end-to-end tests): {@code connect}/{@code forget} need a peer, {@code launch} fails while running.
 */
class DaemonTest {

    /** Net and Scope as the real command lines behave, with the router's targets kept. */
    static final class NetModel implements ProcessRunner {
        boolean netRunning;
        boolean scopeRunning;
        final LinkedHashSet<String> targets = new LinkedHashSet<>();
        final List<List<String>> calls = new ArrayList<>();
        int launches;
        /** How many {@code connect} calls fail next, as when the router's HTTP API does not answer. */
        int failConnects;
        /** How many {@code scope launch} calls fail next, as when Docker does not answer. */
        int failScopeLaunches;
        /** The arguments Scope runs with; null when it does not run. */
        List<String> scopeArgs;
        /** Runs while a {@code connect} does, as a SIGTERM that arrives during a slow tool call. */
        Runnable duringConnect = () -> { };
        /** What {@code report} prints while Net runs (the real script fails when it does not). */
        String report = "{\"Router\": {\"Name\": \"aa:aa:aa:aa:aa:01\", \"Peers\": []}, \"IPAM\": {\"Entries\": []}}";

        @Override
        public Result run(List<String> argv, Map<String, String> env, Duration timeout) {
            String tool = Path.of(argv.get(0)).getFileName().toString();
            List<String> args = argv.subList(1, argv.size());
            calls.add(new ArrayList<>(argv.subList(1, argv.size())));
            String sub = args.isEmpty() ? "" : args.get(0);
            List<String> rest = args.subList(Math.min(1, args.size()), args.size());
            if (tool.equals("scope")) {
                if (sub.equals("launch")) {
                    if (scopeRunning) {
                        return fail(1, "nholuongutscope is already running.");
                    }
                    if (failScopeLaunches > 0) {
                        failScopeLaunches--;
                        return fail(1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.");
                    }
                    scopeRunning = true;
                    scopeArgs = List.copyOf(rest);
                } else if (sub.equals("stop")) {
                    scopeRunning = false;
                    scopeArgs = null;
                }
                return ok();
            }
            switch (sub) {
                case "status":
                    return netRunning ? ok() : fail(1, "nholuongut container is not present. Have you launched it?");
                case "launch":
                    if (netRunning) {
                        return fail(3, "nholuongut is already running");
                    }
                    netRunning = true;
                    launches++;
                    targets.clear();
                    rest.stream().filter(w -> !w.startsWith("-") && !w.startsWith("consensus=")).forEach(targets::add);
                    return ok();
                case "connect":
                    duringConnect.run();
                    if (rest.isEmpty()) {
                        return fail(1, "usage");
                    }
                    if (failConnects > 0) {
                        failConnects--;
                        return fail(1, "curl: (7) Failed to connect to 127.0.0.1 port 6784: Connection refused");
                    }
                    boolean replace = rest.get(0).equals("--replace");
                    List<String> peers = replace ? rest.subList(1, rest.size()) : rest;
                    if (peers.isEmpty()) {
                        return fail(2, "curl: (2) no URL specified");
                    }
                    if (replace) {
                        targets.clear();
                    }
                    targets.addAll(peers);
                    return ok();
                case "forget":
                    if (rest.isEmpty()) {
                        return fail(1, "usage");
                    }
                    rest.forEach(targets::remove);
                    return ok();
                case "report":
                    return netRunning ? new Result(0, report, "", Duration.ZERO)
                            : fail(1, "nholuongut container is not present. Have you launched it?");
                case "rmpeer":
                    return rest.isEmpty() ? fail(1, "usage") : netRunning ? ok() : fail(1, "not running");
                default:
                    return ok();
            }
        }

        static Result ok() {
            return new Result(0, "", "", Duration.ZERO);
        }

        static Result fail(int code, String stderr) {
            return new Result(code, "", stderr, Duration.ZERO);
        }
    }

    /** AWS: the group's other members, or down; no host of a departed router is left. */
    static final class Group implements PeerSource {
        final List<String> peers = new ArrayList<>();
        String self = "i-999";
        boolean down;
        int calls;

        @Override
        public Set<String> presentHosts(Collection<String> hostNames) {
            return Set.of();
        }

        @Override
        public Discovery discover() {
            calls++;
            if (down) {
                throw new UnavailableException("cannot reach AWS for ec2:DescribeInstances: test outage", null);
            }
            List<Peer> members = new ArrayList<>();
            for (int i = 0; i < peers.size(); i++) {
                members.add(new Peer("i-" + (100 + i), peers.get(i), "running"));
            }
            return new Discovery(new InstanceIdentity(self, "us-east-1", "10.0.0.1"),
                    GroupSource.tag("nholuongut:peerGroupName", "blue"), members, members.size() + 1);
        }
    }

    @TempDir
    Path stateDir;
    final NetModel tools = new NetModel();
    final Group group = new Group();
    final AtomicInteger ready = new AtomicInteger();
    Daemon daemon;

    @BeforeEach
    void setUp() {
        group.peers.addAll(List.of("10.0.0.2", "10.0.0.3"));
    }

    Daemon daemon() {
        return daemon(false);
    }

    Daemon daemon(boolean reclaim) {
        AgentConfig config = TestConfig.of(Map.of(ConfigKey.NET_BIN, "/usr/local/bin/nholuongut",
                ConfigKey.SCOPE_BIN, "/usr/local/bin/scope", ConfigKey.STATE_DIR, stateDir.toString(),
                ConfigKey.RECLAIM_DEPARTED, String.valueOf(reclaim)));
        daemon = new Daemon(config, () -> group, new Tools(config, tools), new PeerState(stateDir),
                ready::incrementAndGet, new SplittableRandom(1));
        return daemon;
    }

    @Test
    void boot_launchesNetWithTheGroupAndConsensus_thenScope_andIsReadyOnce() {
        daemon().boot();
        daemon.refresh();

        assertThat(tools.calls).containsExactly(List.of("status"),
                List.of("launch", "--ipalloc-init", "consensus=3", "10.0.0.2", "10.0.0.3"), List.of("stop"),
                List.of("launch", "--probe.ecs=true", "10.0.0.2", "10.0.0.3"));
        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.3");
        assertThat(ready).hasValue(1);
        assertThat(daemon.whyNetNotUp()).isNull();
    }

    @Test
    void boot_freshInstanceWhileAwsIsDown_launchesNothing_thenTheWholeGroupOnceAwsAnswers() {
        group.down = true;
        daemon().boot();
        daemon.refresh();
        daemon.refresh();

        assertThat(tools.netRunning).as("no lone Net").isFalse();
        assertThat(tools.calls).containsExactly(List.of("status"));
        assertThat(ready).hasValue(0);
        assertThat(daemon.whyNetNotUp()).startsWith("no saved peers, and discovery fails: cannot reach AWS");

        group.down = false;
        daemon.refresh();

        assertThat(tools.launches).isEqualTo(1);
        assertThat(tools.calls).contains(List.of("launch", "--ipalloc-init", "consensus=3", "10.0.0.2", "10.0.0.3"));
        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.3");
        assertThat(tools.scopeRunning).isTrue();
        assertThat(ready).hasValue(1);
    }

    @Test
    void boot_savedPeersWhileAwsIsDown_launchWithThem_andJoinTheOthersLater() throws Exception {
        Files.writeString(stateDir.resolve("peers.json"), "{\"version\": 1, \"members\": 2, \"peers\": [\"10.0.0.7\"]}");
        group.down = true;
        daemon().boot();

        assertThat(tools.calls).contains(List.of("launch", "--ipalloc-init", "consensus=2", "10.0.0.7"));

        group.down = false;
        daemon.refresh();

        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.3");
        assertThat(tools.calls).contains(List.of("forget", "10.0.0.7"));
    }

    @Test
    void refresh_groupShrinksToThisInstance_forgetsTheDeparted_thenConnectsWhenMembersReturn() {
        daemon().boot();
        group.peers.clear();
        daemon.refresh();

        assertThat(tools.targets).isEmpty();
        assertThat(tools.calls).contains(List.of("forget", "10.0.0.2", "10.0.0.3"))
                .doesNotContain(List.of("connect", "--replace"));

        group.peers.add("10.0.0.9");
        daemon.refresh();

        assertThat(tools.targets).containsExactly("10.0.0.9");
        assertThat(tools.launches).isEqualTo(1);
    }

    @Test
    void refresh_memberLeavesBeforeTheFirstRefresh_isReclaimedByTheLowest_whoBootedLast() {
        // This agent booted last but has the lowest id; a member (ip-10-0-0-3) is terminated before its
        // first refresh: the departure is seen against the group boot found.
        group.self = "i-001";
        tools.report = "{\"Router\": {\"Name\": \"aa:aa:aa:aa:aa:01\", \"Peers\": []}, \"IPAM\": {\"Entries\": ["
                + "{\"Peer\": \"dd:dd:dd:dd:dd:dd\", \"Nickname\": \"ip-10-0-0-3\", \"Size\": 512,"
                + " \"IsKnownPeer\": false}]}}";
        daemon(true).boot();
        group.peers.remove("10.0.0.3");
        for (int i = 0; i < 3; i++) {
            daemon.refresh();
        }

        assertThat(tools.targets).containsExactly("10.0.0.2");
        assertThat(tools.calls).contains(List.of("forget", "10.0.0.3"), List.of("rmpeer", "dd:dd:dd:dd:dd:dd"));
    }

    @Test
    void refresh_failedConnect_isRetriedAtTheNextRefresh_evenWhileAwsIsDown() {
        daemon().boot();
        group.peers.add("10.0.0.4");
        tools.failConnects = 1;
        daemon.refresh();
        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.3");

        group.down = true;
        daemon.refresh();
        assertThat(tools.targets).as("retried with the last good peers").containsExactly("10.0.0.2", "10.0.0.3",
                "10.0.0.4");
        int calls = tools.calls.size();
        daemon.refresh();
        assertThat(tools.calls).as("nothing left to retry: no tool call").hasSize(calls);
    }

    @Test
    void refresh_failedScopeLaunch_isRetriedWithItsLine_evenWhileAwsIsDown() {
        tools.failScopeLaunches = 1;
        daemon().boot();
        assertThat(tools.scopeRunning).isFalse();

        group.down = true;
        daemon.refresh();
        assertThat(tools.scopeArgs).as("retried while AWS is away").containsExactly("--probe.ecs=true", "10.0.0.2",
                "10.0.0.3");

        int calls = tools.calls.size();
        daemon.refresh();
        group.down = false;
        daemon.refresh();
        assertThat(tools.calls).as("Scope runs its line: no Scope command").hasSize(calls);
        assertThat(tools.scopeArgs).containsExactly("--probe.ecs=true", "10.0.0.2", "10.0.0.3");
    }

    @Test
    void refresh_stopDuringARetriedConnect_runsNoScopeCommandAfterIt() {
        tools.failScopeLaunches = 2; // at boot and at the refresh: left to retry
        daemon().boot();
        group.peers.add("10.0.0.4");
        tools.failConnects = 2;
        daemon.refresh();

        group.down = true;
        tools.duringConnect = daemon::stop;
        int calls = tools.calls.size();
        daemon.refresh();

        assertThat(tools.calls.subList(calls, tools.calls.size())).as("the connect retried, then nothing")
                .containsExactly(List.of("connect", "--replace", "10.0.0.2", "10.0.0.3", "10.0.0.4"));
        assertThat(tools.scopeRunning).isFalse();
    }

    @Test
    void boot_netAlreadyRunning_isAdoptedAndToldTheGroup_neverLaunchedAgain() throws Exception {
        Files.writeString(stateDir.resolve("peers.json"),
                "{\"version\": 1, \"members\": 3, \"peers\": [\"10.0.0.2\", \"10.0.0.8\"]}");
        tools.netRunning = true;
        tools.targets.addAll(List.of("10.0.0.2", "10.0.0.8"));

        daemon().boot();

        assertThat(tools.launches).isZero();
        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.3");
        assertThat(tools.calls).contains(List.of("forget", "10.0.0.8"));
        assertThat(ready).hasValue(1);
    }

    @Test
    void refresh_quietGroup_runsNoToolAndWritesNoState() throws Exception {
        daemon().boot();
        int calls = tools.calls.size();
        var written = Files.getLastModifiedTime(stateDir.resolve("peers.json"));
        Files.setLastModifiedTime(stateDir.resolve("peers.json"), java.nio.file.attribute.FileTime.fromMillis(1000));

        daemon.refresh();
        daemon.refresh();

        assertThat(tools.calls).hasSize(calls);
        assertThat(Files.getLastModifiedTime(stateDir.resolve("peers.json")).toMillis())
                .as("peers.json not rewritten while nothing changed (was %s)", written).isEqualTo(1000);
    }
}
