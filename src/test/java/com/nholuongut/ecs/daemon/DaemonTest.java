package com.nholuongut.ecs.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.daemon.DaemonState.Phase;
import com.nholuongut.ecs.discovery.NoPeerGroupException;
import com.nholuongut.ecs.launch.Tools;
import com.nholuongut.ecs.state.PeerState;
import com.nholuongut.ecs.testing.LogCapture;
import com.nholuongut.ecs.testing.TestConfig;
import com.nholuongut.ecs.testing.VirtualTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's state machine in-process, one {@link Daemon#step()} at a time: AWS as a settable group
 * ({@link FakeGroup}), Net and Scope as a model of their real command lines ({@link ToolModel}), the state file
 * on disk. Each case asserts where the router and Scope end up and the state the daemon is in, besides the
 * calls that led there. The loop itself (waits, backoff, readiness, stop) is {@link DaemonLoopTest}'s.
 */
class DaemonTest {

    static final List<String> STATUS = List.of("nholuongut", "status");

    @RegisterExtension
    final LogCapture daemonLog = LogCapture.of(Transitions.class);
    @RegisterExtension
    final LogCapture discoveryLog = LogCapture.of(Discoverer.class);
    @RegisterExtension
    final LogCapture toolLog = LogCapture.of(Tools.class);
    @RegisterExtension
    final LogCapture stateLog = LogCapture.of(PeerState.class);

    @TempDir
    Path stateDir;
    final ToolModel tools = new ToolModel();
    final FakeGroup group = new FakeGroup();
    final AtomicInteger ready = new AtomicInteger();
    final VirtualTime time = new VirtualTime();
    final FakeLifecycle lifecycle = new FakeLifecycle();
    final Map<ConfigKey<?>, String> settings = new HashMap<>();
    Daemon daemon;

    @BeforeEach
    void setUp() {
        group.peers.addAll(List.of("10.0.0.2", "10.0.0.3"));
        settings.putAll(Map.of(ConfigKey.NET_BIN, "/usr/local/bin/nholuongut", ConfigKey.SCOPE_BIN,
                "/usr/local/bin/scope", ConfigKey.STATE_DIR, stateDir.toString(), ConfigKey.RECLAIM_DEPARTED, "false",
                ConfigKey.SCOPE_APPS, "all"));
    }

    Daemon daemon() {
        AgentConfig config = TestConfig.of(settings);
        daemon = new Daemon(config, () -> group, lifecycle, new Tools(config, tools), new PeerState(stateDir),
                ready::incrementAndGet, new SplittableRandom(1), time, time);
        return daemon;
    }

    void save(String json) throws Exception {
        Files.writeString(stateDir.resolve("peers.json"), json);
    }

    static List<String> argv(String... words) {
        return List.of(words);
    }

    @Test
    void boot_launchesNetWithTheGroupAndConsensus_thenScope_andIsReadyOnce() {
        assertThat(daemon().step().phase()).isEqualTo(Phase.UP);
        daemon.step();

        assertThat(tools.calls).containsExactly(STATUS,
                argv("nholuongut", "launch", "--ipalloc-init", "consensus=3", "10.0.0.2", "10.0.0.3"),
                argv("scope", "stop"), argv("scope", "launch", "--probe.ecs=true", "10.0.0.2", "10.0.0.3"));
        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.3");
        assertThat(tools.scopeArgs).containsExactly("--probe.ecs=true", "10.0.0.2", "10.0.0.3");
        assertThat(ready).hasValue(1);
        assertThat(daemon.whyNetNotUp()).isNull();
        assertThat(daemonLog.lines()).contains("peer group tag nholuongut:peerGroupName=blue has 3 member(s); peers:"
                + " [10.0.0.2, 10.0.0.3]");
    }

    @Test
    void boot_freshInstanceWhileAwsIsDown_launchesNothing_thenTheWholeGroupOnceAwsAnswers() {
        group.down(true);
        assertThat(daemon().step().phase()).isEqualTo(Phase.WAITING_FOR_GROUP);
        daemon.step();
        daemon.step();

        assertThat(tools.netRunning).as("no lone Net").isFalse();
        assertThat(tools.calls).containsExactly(STATUS);
        assertThat(ready).hasValue(0);
        assertThat(daemon.whyNetNotUp()).startsWith("no saved peers, and discovery fails: cannot reach AWS");
        assertThat(discoveryLog.lines()).as("one line for the streak").singleElement().asString()
                .startsWith("discovery failed, retrying with backoff: cannot reach AWS");
        assertThat(daemonLog.lines()).filteredOn(l -> l.contains("not launching nholuongut Net until AWS answers"))
                .hasSize(1);

        group.down(false);
        assertThat(daemon.step().phase()).isEqualTo(Phase.UP);

        assertThat(tools.launches).isEqualTo(1);
        assertThat(tools.consensus).as("the whole group's consensus").isEqualTo("consensus=3");
        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.3");
        assertThat(tools.scopeRunning).isTrue();
        assertThat(ready).hasValue(1);
        assertThat(discoveryLog.lines()).contains("discovery works again after 3 failed attempt(s)");
    }

    @Test
    void boot_groupWithARunningWarmPool_leavesItOutOfTheConsensus_askedOnlyForTheLaunch() {
        group.peers.addAll(List.of("10.0.0.4", "10.0.0.5", "10.0.0.6"));
        group.warmPool.addAll(List.of("i-102", "i-103", "i-104")); // 10.0.0.4-6, warming up (Warmed:Running)

        daemon().step();
        daemon.step();
        group.peers.add("10.0.0.7");
        daemon.step();

        assertThat(tools.consensus).as("6 members, 3 of them warmed: a quorum of 2 that can come")
                .isEqualTo("consensus=3");
        assertThat(group.warmPoolCalls).as("for the fresh launch only, never on a refresh").isEqualTo(1);
        assertThat(daemonLog.lines()).contains("3 of the 6 member(s) are in the warm pool: consensus=3");
    }

    @Test
    void boot_stopWhileAutoScalingIsAskedForTheWarmPool_launchesNothing() {
        daemon();
        group.duringWarmPool = daemon::stop;

        daemon.step();

        assertThat(tools.calls("nholuongut", "launch")).isEmpty();
        assertThat(tools.netRunning).isFalse();
    }

    @Test
    void netDown_launchRetriedWhileAwsIsAway_keepsTheWarmPoolOutOfItsConsensus() {
        group.peers.addAll(List.of("10.0.0.4", "10.0.0.5"));
        group.warmPool.addAll(List.of("i-102", "i-103"));
        tools.failLaunches = 1;
        daemon().step();
        group.down(true);

        daemon.step();

        assertThat(tools.calls("nholuongut", "launch")).extracting(c -> c.get(3))
                .containsExactly("consensus=3", "consensus=3");
        assertThat(tools.netRunning).isTrue();
    }

    @Test
    void boot_savedPeers_consensusFromTheSavedGroup_noWarmPoolCall() throws Exception {
        save("{\"version\": 1, \"members\": 2, \"peers\": [\"10.0.0.7\"]}");
        group.down(true);

        daemon().step();

        assertThat(tools.consensus).isEqualTo("consensus=2");
        assertThat(group.warmPoolCalls).isZero();
    }

    @Test
    void boot_readinessAskedWhileTheFailedBootStillRunsItsTools_saysWhyAlready() {
        group.down(true);
        tools.duringStatus = () -> assertThat(daemon.whyNetNotUp())
                .startsWith("no saved peers, and discovery fails: cannot reach AWS");

        daemon().step();

        assertThat(tools.calls).containsExactly(STATUS);
    }

    @Test
    void boot_noPeerGroup_launchesNothingWithOneError_andJoinsOnceTagged() {
        group.error = new NoPeerGroupException("instance i-999 has no tag nholuongut:peerGroupName");
        daemon().step();
        daemon.step();

        assertThat(daemon.state().phase()).isEqualTo(Phase.WAITING_FOR_GROUP);
        assertThat(tools.calls).containsExactly(STATUS);
        assertThat(discoveryLog.lines()).singleElement().asString()
                .isEqualTo("discovery failed, retrying with backoff: instance i-999 has no tag nholuongut:peerGroupName");

        group.error = null;
        daemon.step();

        assertThat(tools.calls).contains(argv("nholuongut", "launch", "--ipalloc-init", "consensus=3", "10.0.0.2",
                "10.0.0.3"));
        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.3");
    }

    @Test
    void boot_savedPeersWhileAwsIsDown_launchWithThem_andJoinTheOthersLater() throws Exception {
        save("{\"version\": 1, \"members\": 2, \"peers\": [\"10.0.0.7\"]}");
        group.down(true);
        assertThat(daemon().step()).isEqualTo(new DaemonState(Phase.UP, List.of("10.0.0.7"), 2));

        assertThat(tools.calls).containsExactly(STATUS, argv("nholuongut", "launch", "--ipalloc-init", "consensus=2",
                "10.0.0.7"), argv("scope", "stop"), argv("scope", "launch", "--probe.ecs=true", "10.0.0.7"));
        assertThat(ready).hasValue(1);

        group.down(false);
        daemon.step();

        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.3");
        assertThat(tools.calls).contains(argv("nholuongut", "forget", "10.0.0.7"));
        assertThat(tools.launches).isEqualTo(1);
    }

    @Test
    void boot_savedPeersWhileAwsIsDown_withScopeAppsFromIds_scopeWaitsForAws() throws Exception {
        settings.put(ConfigKey.SCOPE_APPS, "3");
        save("{\"version\": 1, \"members\": 2, \"peers\": [\"10.0.0.7\"]}");
        group.down(true);
        daemon().step();

        assertThat(tools.calls).noneMatch(c -> c.get(0).equals("scope"));
        assertThat(daemonLog.lines()).contains("Scope waits for AWS: which members run its app is known from their"
                + " instance ids");
    }

    @Test
    void boot_failedLaunchWhileAwsIsDown_isRetriedWithTheSavedPeers() throws Exception {
        save("{\"version\": 1, \"members\": 2, \"peers\": [\"10.9.0.2\"]}");
        group.down(true);
        tools.failLaunches = 1;
        assertThat(daemon().step().phase()).isEqualTo(Phase.NET_DOWN);
        assertThat(daemon.whyNetNotUp()).startsWith("nholuongut launch failed");
        assertThat(ready).hasValue(0);

        assertThat(daemon.step().phase()).isEqualTo(Phase.UP);

        List<String> launch = argv("nholuongut", "launch", "--ipalloc-init", "consensus=2", "10.9.0.2");
        assertThat(tools.calls(("nholuongut"), "launch")).containsExactly(launch, launch);
        assertThat(tools.targets).containsExactly("10.9.0.2");
        assertThat(ready).hasValue(1);
        assertThat(toolLog.lines()).anyMatch(l -> l.contains("launch") && l.contains("pull access denied"));
    }

    @Test
    void boot_netAlreadyRunning_isAdoptedAndToldTheGroup_neverLaunchedAgain() throws Exception {
        save("{\"version\": 1, \"members\": 3, \"peers\": [\"10.0.0.2\", \"10.0.0.8\"]}");
        tools.netRunning = true;
        tools.targets.addAll(List.of("10.0.0.2", "10.0.0.8"));

        daemon().step();

        assertThat(tools.launches).isZero();
        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.3");
        assertThat(tools.calls).contains(argv("nholuongut", "connect", "--replace", "10.0.0.2", "10.0.0.3"),
                argv("nholuongut", "forget", "10.0.0.8"));
        assertThat(ready).hasValue(1);
    }

    @Test
    void boot_restartDuringAnOutageWithoutState_leavesTheRunningNetAlone_untilAwsAnswers() {
        tools.netRunning = true;
        tools.scopeRunning = true;
        tools.targets.add("10.0.0.2");
        group.down(true);

        assertThat(daemon().step().phase()).isEqualTo(Phase.ADOPTED);
        daemon.step();
        daemon.step();

        assertThat(tools.calls).as("no connect --replace with nothing, no Scope relaunch").containsExactly(STATUS);
        assertThat(ready).as("Net runs: ready").hasValue(1);

        group.down(false);
        daemon.step();

        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.3");
        assertThat(tools.launches).isZero();
    }

    @Test
    void boot_corruptStateFile_isAWarning_andNoLoneNet() throws Exception {
        save("{\"peers\": [\"$(reboot)\"");
        group.down(true);

        assertThat(daemon().step().phase()).isEqualTo(Phase.WAITING_FOR_GROUP);

        assertThat(stateLog.lines()).singleElement().asString().contains("ignoring corrupt");
        assertThat(tools.netRunning).as("a corrupt file is no saved peers").isFalse();
    }

    @Test
    void refresh_fleetChanges_connectReplaceThenForget_andOneScopeRelaunch() {
        daemon().step();
        int before = tools.size();
        group.peers.set(1, "10.0.0.4");

        daemon.step();

        assertThat(tools.since(before)).containsExactly(
                argv("nholuongut", "connect", "--replace", "10.0.0.2", "10.0.0.4"),
                argv("nholuongut", "forget", "10.0.0.3"), argv("scope", "stop"),
                argv("scope", "launch", "--probe.ecs=true", "10.0.0.2", "10.0.0.4"));
        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.4");
        assertThat(tools.launches).isEqualTo(1);
        assertThat(daemonLog.lines()).contains("peers changed: added [10.0.0.4], removed [10.0.0.3]; now 2 peer(s)");
    }

    @Test
    void refresh_groupShrinksToThisInstance_forgetsTheDeparted_thenConnectsWhenMembersReturn() {
        daemon().step();
        group.peers.clear();
        daemon.step();

        assertThat(tools.targets).isEmpty();
        assertThat(tools.calls).contains(argv("nholuongut", "forget", "10.0.0.2", "10.0.0.3"));
        assertThat(tools.calls("nholuongut", "connect")).isEmpty();

        group.peers.add("10.0.0.9");
        daemon.step();

        assertThat(tools.targets).containsExactly("10.0.0.9");
        assertThat(tools.launches).isEqualTo(1);
        assertThat(tools.scopeArgs).containsExactly("--probe.ecs=true", "10.0.0.9");
    }

    @Test
    void refresh_quietGroup_runsNoToolAndWritesNoState() throws Exception {
        daemon().step();
        int calls = tools.size();
        Files.setLastModifiedTime(stateDir.resolve("peers.json"), FileTime.fromMillis(1000));

        daemon.step();
        daemon.step();

        assertThat(tools.size()).isEqualTo(calls);
        assertThat(Files.getLastModifiedTime(stateDir.resolve("peers.json")).toMillis())
                .as("peers.json not rewritten while nothing changed").isEqualTo(1000);
    }

    @Test
    void refresh_onTheLowestMemberWithReclaimOn_aQuietGroupCallsOnlyWhatSpecLists() {
        settings.put(ConfigKey.RECLAIM_DEPARTED, "true");
        group.self = "i-001";
        daemon().step();
        for (int i = 0; i < 5; i++) {
            daemon.step();
        }

        assertThat(tools.calls).containsExactly(STATUS,
                argv("nholuongut", "launch", "--ipalloc-init", "consensus=3", "10.0.0.2", "10.0.0.3"),
                argv("scope", "stop"), argv("scope", "launch", "--probe.ecs=true", "10.0.0.2", "10.0.0.3"));
    }

    @Test
    void refresh_memberLeavesBeforeTheFirstRefresh_isReclaimedByTheLowest_whoBootedLast() {
        // This agent booted last but has the lowest id; a member (ip-10-0-0-3) is terminated before its
        // first refresh: the departure is seen against the group boot found.
        settings.put(ConfigKey.RECLAIM_DEPARTED, "true");
        group.self = "i-001";
        tools.report = "{\"Router\": {\"Name\": \"aa:aa:aa:aa:aa:01\", \"Peers\": []}, \"IPAM\": {\"Entries\": ["
                + "{\"Peer\": \"dd:dd:dd:dd:dd:dd\", \"Nickname\": \"ip-10-0-0-3\", \"Size\": 512,"
                + " \"IsKnownPeer\": false}]}}";
        daemon().step();
        group.peers.remove("10.0.0.3");
        for (int i = 0; i < 3; i++) {
            time.advance(java.time.Duration.ofSeconds(60));
            daemon.step();
        }

        assertThat(tools.targets).containsExactly("10.0.0.2");
        assertThat(tools.calls).contains(argv("nholuongut", "forget", "10.0.0.3"),
                argv("nholuongut", "rmpeer", "dd:dd:dd:dd:dd:dd"));
    }

    @Test
    void refresh_failedConnect_isLoggedWithItsStderr_andRetried_evenWhileAwsIsDown_untilItWorks() {
        daemon().step();
        group.peers.add("10.0.0.4");
        tools.failConnects = 1;
        daemon.step();
        assertThat(tools.targets).containsExactly("10.0.0.2", "10.0.0.3");
        assertThat(toolLog.lines()).anyMatch(l -> l.contains("connect --replace") && l.contains("Connection refused"));

        group.down(true);
        daemon.step();
        assertThat(tools.targets).as("retried with the last good peers").containsExactly("10.0.0.2", "10.0.0.3",
                "10.0.0.4");
        int calls = tools.size();
        daemon.step();
        group.down(false);
        daemon.step();
        assertThat(tools.size()).as("nothing left to retry: no tool call").isEqualTo(calls);
    }

    @Test
    void refresh_failedScopeLaunch_isRetriedWithItsLine_evenWhileAwsIsDown() {
        tools.failScopeLaunches = 1;
        daemon().step();
        assertThat(tools.scopeRunning).isFalse();

        group.down(true);
        daemon.step();
        assertThat(tools.scopeArgs).as("retried while AWS is away").containsExactly("--probe.ecs=true", "10.0.0.2",
                "10.0.0.3");

        int calls = tools.size();
        daemon.step();
        group.down(false);
        daemon.step();
        assertThat(tools.size()).as("Scope runs its line: no Scope command").isEqualTo(calls);
    }

    @Test
    void refresh_stopDuringARetriedConnect_runsNoScopeCommandAfterIt() {
        tools.failScopeLaunches = 2; // at boot and at the refresh: left to retry
        daemon().step();
        group.peers.add("10.0.0.4");
        tools.failConnects = 2;
        daemon.step();

        group.down(true);
        tools.duringConnect = daemon::stop;
        int calls = tools.size();
        daemon.step();

        assertThat(tools.since(calls)).as("the connect retried, then nothing")
                .containsExactly(argv("nholuongut", "connect", "--replace", "10.0.0.2", "10.0.0.3", "10.0.0.4"));
        assertThat(tools.scopeRunning).isFalse();
    }

    @Test
    void step_stopDuringTheDiscovery_runsNoTool() {
        daemon();
        group.duringDiscover = daemon::stop;

        assertThat(daemon.step().phase()).isEqualTo(Phase.BOOTING);

        assertThat(tools.calls).isEmpty();
    }

    @Test
    void boot_invalidConfigurationInTheSource_isThrown_notRetried() {
        AgentConfig config = TestConfig.of(settings);
        daemon = new Daemon(config, () -> {
            throw new com.nholuongut.ecs.config.ConfigException("nholuongut.config line 1: DISCOVERY: bad");
        }, lifecycle, new Tools(config, tools), new PeerState(stateDir), ready::incrementAndGet, new SplittableRandom(1), time,
                time);

        org.assertj.core.api.Assertions.assertThatThrownBy(daemon::step)
                .hasMessageContaining("DISCOVERY: bad");
        assertThat(tools.calls).isEmpty();
    }
}
