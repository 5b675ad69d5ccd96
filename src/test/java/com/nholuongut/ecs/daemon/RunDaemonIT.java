package com.nholuongut.ecs.daemon;

import static com.nholuongut.ecs.testing.AgentProcess.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.discovery.Addresses;
import com.nholuongut.ecs.testing.AgentHost;
import com.nholuongut.ecs.testing.AgentProcess;
import com.nholuongut.ecs.testing.FakeTools;
import com.nholuongut.ecs.testing.Fleet;
import com.nholuongut.ecs.testing.ImdsFixture;
import com.nholuongut.ecs.testing.AwsEmulator;
import com.nholuongut.ecs.testing.Emulators;
import com.nholuongut.ecs.testing.RecordingProxy;
import java.nio.file.Files;
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
 * {@code agent.jar run} end to end, the smoke tests of the daemon as a process: a real fleet in moto, fake
 * {@code nholuongut}/{@code scope} tools that enforce the real scripts' command-line rules and model the
 * router (see {@link FakeTools}), fleet changes made through the SDK, and both where Net ends up (its
 * targets) and the exact tool calls that led there: boot, churn, an outage, SIGTERM, a restart, secrets in
 * real processes. The state machine's cases (every failure, retry, backoff and setting) run in-process, in
 * milliseconds, in {@link DaemonTest} and {@link DaemonLoopTest}. Nothing here sleeps for a fixed time: a
 * check that nothing happened waits for later refreshes (logged with {@code --verbose}) first.
 */
@ExtendWith(Emulators.class)
class RunDaemonIT {

    static final String TAG = "nholuongut:peerGroupName";
    /** How a refresh is logged with {@code --verbose}. */
    static final String REFRESH = "DEBUG refresh ";
    /** A deadline, not a delay: with two test JVMs side by side on two cores a boot can take seconds. */
    static final Duration CHANGE_SEEN = Duration.ofSeconds(30);
    /**
     * How long recovery may take once an outage ends: the agent may be in a backoff wait drawn from up to
     * 2^(n-1) intervals after n failures (full jitter), e.g. 16 s after the 5 failures a test's outage
     * often sees under load, 32 s after 6; a shorter wait made these tests flaky on a busy machine.
     */
    static final Duration AFTER_OUTAGE = Duration.ofSeconds(60);

    @TempDir
    Path work;
    AwsEmulator moto;
    Fleet fleet;
    FakeTools tools;
    RecordingProxy proxy;
    AgentHost host;
    ImdsFixture imds;
    Path stateDir;
    Path configDir;
    List<String> group;
    AgentProcess agent;

    @BeforeEach
    void setUp(AwsEmulator moto) throws Exception {
        this.moto = moto;
        moto.reset();
        fleet = new Fleet(moto);
        proxy = new RecordingProxy(moto.endpoint());
        group = fleet.tagged(TAG, "blue", 4);
        fleet.tagged(TAG, "green", 2);
        host = new AgentHost(work, self(), fleet.address(self()));
        tools = host.tools();
        imds = host.imds();
        stateDir = host.stateDir();
        configDir = host.configDir();
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

    String self() {
        return group.get(0);
    }

    Map<String, String> env() {
        // Reclaiming is off (the host's default): it has its own test (ReclaimIT), and here its `nholuongut
        // report` calls would blur the exact call sequences whenever this member has the lowest instance id.
        Map<String, String> env = host.env(moto, proxy.endpoint());
        env.put("NHOLUONGUT_REFRESH_INTERVAL", "1s");
        // A generous budget keeps the 1 s interval for these small groups; the budget has its own test.
        env.put("NHOLUONGUT_API_BUDGET", "100");
        // The original layout (every member an app, reporting to every peer): Scope's app members have their
        // own test (ScopeAppsIT); here the lines stay the peers whichever id this member has.
        env.put("NHOLUONGUT_SCOPE_APPS", "all");
        return env;
    }

    AgentProcess start(Map<String, String> env, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(List.of(more));
        agent = AgentProcess.start(work, env, args.toArray(String[]::new));
        return agent;
    }

    List<String> peersOf(List<String> ids) {
        return fleet.addresses(ids).stream().sorted(Addresses.NUMERIC).toList();
    }

    static List<String> argv(String... words) {
        return List.of(words);
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The agent's WARN lines, but for the one every test here gets for its 1 s refresh interval. */
    List<String> warnings() {
        return agent.stdout().lines().filter(l -> l.startsWith("WARN") && !l.contains("REFRESH_INTERVAL 1s is below"))
                .toList();
    }

    boolean called(List<String> call) {
        return tools.calls().contains(call);
    }

    @Test
    void run_boot_launchesNetWithConsensusThenScope_andReportsReady() throws Exception {
        Map<String, String> env = env();
        env.put("NOTIFY_SOCKET", "/run/systemd/notify-test");
        List<String> peers = peersOf(group.subList(1, 4));

        start(env);

        List<String> launch = concat(argv("nholuongut", "launch", "--ipalloc-init", "consensus=4"), peers);
        List<String> scope = concat(argv("scope", "launch", "--probe.ecs=true"), peers);
        assertThat(await(() -> called(scope), CHANGE_SEEN)).as(agent.stdout()).isTrue();
        assertThat(tools.calls()).containsExactly(argv("nholuongut", "status"), launch,
                argv("systemd-notify", "--ready"), argv("scope", "stop"), scope);
        assertThat(tools.router().targets()).as("the router dials every peer").isEqualTo(peers);
        assertThat(tools.router().ipallocInit()).isEqualTo("consensus=4");
        assertThat(tools.scopeState().running()).isTrue();
        assertThat(Files.readString(stateDir.resolve("peers.json"))).contains(peers);
        assertThat(agent.stdout()).contains("INFO").contains("nholuongut launch --ipalloc-init consensus=4");
    }

    @Test
    void run_restartWithSavedPeers_theRunningRouterEndsWithTheCurrentGroup() throws Exception {
        // An earlier agent told Net about a member that has left since; this one finds Net running.
        String gone = "10.9.0.77";
        List<String> before = new ArrayList<>(peersOf(group.subList(1, 3)));
        before.add(gone);
        Files.createDirectories(stateDir);
        Files.writeString(stateDir.resolve("peers.json"), "{\"version\": 1, \"members\": 4, \"peers\": ["
                + String.join(", ", before.stream().map(a -> "\"" + a + "\"").toList()) + "]}");
        tools.netAlreadyRunning(before);

        start(env());

        List<String> peers = peersOf(group.subList(1, 4));
        assertThat(await(() -> called(argv("nholuongut", "forget", gone)), CHANGE_SEEN)).as(agent.stdout()).isTrue();
        assertThat(tools.router().targets()).isEqualTo(peers);
        assertThat(tools.router().launches()).as("a running Net is never launched again").isZero();
    }

    @Test
    void run_sigterm_exits0WithinFiveSecondsEvenDuringAToolRun() throws Exception {
        tools.sleep("scope", "launch", 60);
        start(env());
        assertThat(await(() -> called(concat(argv("scope", "launch", "--probe.ecs=true"),
                peersOf(group.subList(1, 4)))), CHANGE_SEEN)).isTrue();

        long t0 = System.nanoTime();
        int code = agent.terminate(Duration.ofSeconds(10));

        assertThat(code).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(tools.calls()).as("Scope is left running: no stop after the one before its launch")
                .filteredOn(argv("scope", "stop")::equals).hasSize(1);
        assertThat(tools.calls().get(tools.calls().size() - 1).subList(0, 2)).isEqualTo(argv("scope", "launch"));
    }

    @Test
    void run_sigtermDuringStartUpWhileImdsHangs_exits0WithinFiveSeconds() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getLoopbackAddress())) {
            // Accepts connections (the backlog does) and never answers: the boot discovery hangs in IMDS.
            Map<String, String> env = env();
            env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + silent.getLocalPort());
            start(env);
            // Past start-up: the daemon's own handler, not the provisional one in Main, takes the signal.
            assertThat(await(() -> agent.stdout().contains("starting:"), CHANGE_SEEN)).as(agent.stdout()).isTrue();

            long t0 = System.nanoTime();
            assertThat(agent.terminate(Duration.ofSeconds(10))).as(agent.stdout()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(tools.calls()).isEmpty();
        }
    }

    @Test
    void run_sigtermWhileIdle_exits0Quickly() throws Exception {
        start(env());
        assertThat(await(() -> tools.calls().size() >= 4, CHANGE_SEEN)).isTrue();

        long t0 = System.nanoTime();
        assertThat(agent.terminate(Duration.ofSeconds(10))).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(agent.stdout()).contains("left running");
    }

    @Test
    void run_netPasswordAndScopeToken_reachTheToolsButNoCommandLineOrLogLine() throws Exception {
        String password = "pw-" + System.nanoTime() + "-Zq";
        String token = "tok-" + System.nanoTime() + "-Xy";
        Path passwordFile = configDir.resolve("net.password");
        Files.writeString(passwordFile, password + "\n");
        Files.writeString(configDir.resolve("scope.config"), "SERVICE_TOKEN=" + token + "\n");
        Files.writeString(configDir.resolve("nholuongut.config"), "NET_PASSWORD_FILE=" + passwordFile + "\n");
        for (Path f : List.of(passwordFile, configDir.resolve("scope.config"), configDir.resolve("nholuongut.config"))) {
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        // A tool failing with the password in its stderr: shown masked too.
        tools.exitCode("scope", "launch", 1);

        start(env(), "--verbose");

        assertThat(await(() -> tools.router().running(), CHANGE_SEEN)).as(agent.stdout()).isTrue();
        assertThat(tools.router().password()).as("Net got it, through its environment").isEqualTo(password);
        assertThat(await(() -> tools.calls().stream().filter(c -> c.get(0).equals("scope") && c.get(1).equals("launch"))
                .count() >= 2, CHANGE_SEEN)).isTrue();
        tools.clearExitCode("scope", "launch");
        assertThat(await(() -> tools.scopeState().running(), CHANGE_SEEN)).isTrue();
        fleet.terminate(group.get(1));
        assertThat(await(() -> called(argv("nholuongut", "forget", fleet.address(group.get(1)))), CHANGE_SEEN))
                .isTrue();

        assertThat(tools.calls()).noneMatch(c -> c.contains("--password"));
        assertThat(tools.callLog()).doesNotContain(password);
        String logs = agent.stdout() + agent.stderr();
        assertThat(logs).doesNotContain(password).doesNotContain(token)
                .contains("--service-token=****").contains("netPassword=****");
    }

    @Test
    void run_invalidConfiguration_exits78BeforeRunningAnything() throws Exception {
        Files.writeString(configDir.resolve("nholuongut.config"), "SCOPE_ENABLED=perhaps\n");

        int code = start(env()).waitFor(Duration.ofSeconds(20));

        assertThat(code).isEqualTo(78);
        assertThat(agent.stderr()).hasLineCount(1).contains("SCOPE_ENABLED");
        assertThat(tools.calls()).isEmpty();
    }

    @Test
    void run_fleetChanges_areAppliedWithConnectReplaceForgetAndOneScopeRelaunch_eachRefreshOneAwsCall()
            throws Exception {
        start(env(), "--verbose");
        assertThat(await(() -> tools.calls().size() >= 4, CHANGE_SEEN)).isTrue();
        proxy.clear();
        int seen = refreshes();
        assertThat(await(() -> refreshes() >= seen + 3, CHANGE_SEEN)).as(agent.stdout()).isTrue();
        int settled = tools.calls().size();
        assertThat(tools.calls()).as("no tool call while nothing changes").hasSize(4);
        // The refresh that logged last may have asked AWS before its line: one call more at the most.
        List<String> actions = proxy.actions();
        assertThat(actions).as("one DescribeInstances per refresh").allMatch("DescribeInstances"::equals)
                .hasSizeBetween(3, refreshes() - seen + 1);

        String leaving = group.get(2);
        String leftAddress = fleet.address(leaving);
        fleet.terminate(leaving);
        String joining = fleet.tagged(TAG, "blue", 1).get(0);
        List<String> now = peersOf(List.of(group.get(1), group.get(3), joining));

        List<String> connect = concat(argv("nholuongut", "connect", "--replace"), now);
        List<String> relaunch = concat(argv("scope", "launch", "--probe.ecs=true"), now);
        assertThat(await(() -> called(relaunch), CHANGE_SEEN)).as(agent.stdout()).isTrue();
        List<List<String>> after = tools.calls().subList(settled, tools.calls().size());
        assertThat(after).containsExactly(connect, argv("nholuongut", "forget", leftAddress),
                argv("scope", "stop"), relaunch);
        assertThat(tools.router().targets()).isEqualTo(now);
        assertThat(tools.router().launches()).as("launched once, then only told").isEqualTo(1);
        assertThat(agent.stdout()).contains("peers changed: added [" + fleet.address(joining) + "], removed ["
                + leftAddress + "]");
    }

    @Test
    void run_groupShrinksToThisInstanceAlone_forgetsTheDepartedAndNeverConnectsWithNoPeer() throws Exception {
        start(env(), "--verbose");
        List<String> peers = peersOf(group.subList(1, 4));
        assertThat(await(() -> tools.router().targets().equals(peers), CHANGE_SEEN)).as(agent.stdout()).isTrue();

        group.subList(1, 4).forEach(fleet::terminate);

        // The real script rejects `connect --replace` with no peer: the departed are forgotten instead.
        assertThat(await(() -> called(concat(argv("nholuongut", "forget"), peers)), CHANGE_SEEN))
                .as(agent.stdout()).isTrue();
        assertThat(tools.router().targets()).as("Net dials no departed peer").isEmpty();
        assertThat(agent.awaitMore(REFRESH, 2, CHANGE_SEEN)).as(agent.stdout()).isTrue();
        assertThat(tools.calls()).noneMatch(c -> c.size() > 1 && c.get(1).equals("connect"));
        assertThat(agent.stdout()).doesNotContain("failed (exit").doesNotContain("Usage");

        String joining = fleet.tagged(TAG, "blue", 1).get(0);
        List<String> back = List.of(fleet.address(joining));
        assertThat(await(() -> called(concat(argv("nholuongut", "connect", "--replace"), back)), CHANGE_SEEN))
                .as(agent.stdout()).isTrue();
        assertThat(tools.router().targets()).isEqualTo(back);
        assertThat(tools.router().launches()).isEqualTo(1);
        assertThat(await(() -> tools.scopeState().args().equals(concat(argv("--probe.ecs=true"), back)), CHANGE_SEEN))
                .isTrue();
    }

    @Test
    void run_autoScalingGroup_eachRefreshOneAwsCall_andPeersFollowAScaleOut() throws Exception {
        List<String> web = fleet.autoScalingGroup("web", 3);
        imds.identity(web.get(0), AwsEmulator.REGION, fleet.address(web.get(0)));
        start(env(), "--verbose");
        List<String> launch = concat(argv("nholuongut", "launch", "--ipalloc-init", "consensus=3"),
                peersOf(web.subList(1, 3)));
        assertThat(await(() -> called(launch), CHANGE_SEEN)).as(agent.stdout()).isTrue();
        proxy.clear();
        assertThat(agent.awaitMore(REFRESH, 2, CHANGE_SEEN)).as(agent.stdout()).isTrue();
        assertThat(proxy.actions()).as("the group was learnt at boot: no Auto Scaling call on a refresh")
                .hasSizeGreaterThanOrEqualTo(2).allMatch("DescribeInstances"::equals);

        fleet.setCapacity("web", 5);
        List<String> grown = fleet.membersOf("web");
        assertThat(grown).hasSize(5);
        List<String> others = new ArrayList<>(grown);
        others.remove(web.get(0));

        List<String> connect = concat(argv("nholuongut", "connect", "--replace"), peersOf(others));
        assertThat(await(() -> called(connect), CHANGE_SEEN)).as(agent.stdout()).isTrue();
        assertThat(tools.router().targets()).isEqualTo(peersOf(others));
    }

    @Test
    void run_awsDownAtBootWithoutState_launchesNothingUntilAwsAnswersThenTheWholeGroup() throws Exception {
        Map<String, String> env = env();
        env.put("NOTIFY_SOCKET", "/run/systemd/notify-test");
        env.put("NHOLUONGUT_READY_TIMEOUT", "2s");
        proxy.down(true);
        start(env);
        assertThat(await(() -> called(argv("systemd-notify", "--ready")), CHANGE_SEEN)).isTrue();
        // The SDK's three attempts for each of at least two discoveries: it keeps retrying.
        assertThat(await(() -> proxy.actions().size() >= 6, Duration.ofSeconds(30))).as("keeps retrying").isTrue();

        // A Net launched alone (consensus=1) would form an address ring that can never merge with the group's.
        assertThat(tools.calls()).as("no lone Net, no Scope").containsOnly(argv("nholuongut", "status"),
                argv("systemd-notify", "--ready"));
        assertThat(tools.router().running()).isFalse();
        assertThat(agent.stdout()).as("one WARN per failure streak").containsOnlyOnce("retrying with backoff")
                .containsOnlyOnce("no saved peers and discovery failed: not launching nholuongut Net until AWS answers");
        // The deadline may pass while the first discovery's retries still run (under load) or after it failed:
        // either reason is the true one (DaemonTest checks each wording on a virtual clock).
        assertThat(agent.stdout()).containsPattern("WARN  nholuongut Net is not up after READY_TIMEOUT=2s \\((the first"
                + " discovery has not finished|no saved peers, and discovery fails: AWS failed ec2:DescribeTags.*)\\)");
        assertThat(warnings()).as("one WARN for the failure streak, one for the readiness deadline").hasSize(2)
                .anyMatch(l -> l.startsWith("WARN  discovery failed, retrying with backoff: AWS failed"));

        proxy.down(false);

        List<String> peers = peersOf(group.subList(1, 4));
        List<String> launch = concat(argv("nholuongut", "launch", "--ipalloc-init", "consensus=4"), peers);
        assertThat(await(() -> called(launch), AFTER_OUTAGE)).as(agent.stdout()).isTrue();
        assertThat(await(() -> tools.scopeState().running(), CHANGE_SEEN)).isTrue();
        assertThat(tools.router().targets()).isEqualTo(peers);
        assertThat(tools.calls()).noneMatch(c -> c.size() > 1 && c.get(1).equals("launch") && c.get(0).equals("nholuongut")
                && !c.equals(launch));
        assertThat(agent.stdout()).contains("discovery works again");
    }

    /** The refreshes the agent has logged so far (with {@code --verbose}: "refresh N: ..." at DEBUG). */
    int refreshes() {
        return agent.lines(REFRESH);
    }
}
