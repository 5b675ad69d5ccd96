package com.nholuongut.ecs.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.nholuongut.ecs.UnavailableException;
import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.daemon.DaemonState.Phase;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.discovery.StaticPeerSource;
import com.nholuongut.ecs.launch.Tools;
import com.nholuongut.ecs.state.PeerState;
import com.nholuongut.ecs.testing.LogCapture;
import com.nholuongut.ecs.testing.TestConfig;
import com.nholuongut.ecs.testing.VirtualTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's whole loop, {@link Daemon#run()}, on a virtual clock: every wait passes at once, so refreshes,
 * backoff streaks, throttling, the API budget, readiness and the stop take milliseconds, and the waits the
 * daemon asked for are asserted. Also what reaches the tools from the configuration (secrets, launch
 * arguments, static peers), through the real argv building.
 */
class DaemonLoopTest {

    @RegisterExtension
    final LogCapture daemonLog = LogCapture.of(Daemon.class);
    @RegisterExtension
    final LogCapture transitionLog = LogCapture.of(Transitions.class);
    @RegisterExtension
    final LogCapture leaveLog = LogCapture.of(Leaving.class);
    @RegisterExtension
    final LogCapture discoveryLog = LogCapture.of(Discoverer.class);
    @RegisterExtension
    final LogCapture toolLog = LogCapture.of(Tools.class);
    @RegisterExtension
    final LogCapture readyLog = LogCapture.of(Readiness.class);

    @TempDir
    Path stateDir;
    final ToolModel tools = new ToolModel();
    final FakeGroup group = new FakeGroup();
    final VirtualTime time = new VirtualTime();
    final FakeLifecycle lifecycle = new FakeLifecycle();
    final Map<ConfigKey<?>, String> settings = new HashMap<>();
    final AtomicInteger ready = new AtomicInteger();
    Daemon daemon;

    @BeforeEach
    void setUp() {
        group.peers.addAll(List.of("10.0.0.2", "10.0.0.3", "10.0.0.4"));
        settings.putAll(Map.of(ConfigKey.NET_BIN, "/usr/local/bin/nholuongut", ConfigKey.SCOPE_BIN,
                "/usr/local/bin/scope", ConfigKey.STATE_DIR, stateDir.toString(), ConfigKey.RECLAIM_DEPARTED, "false",
                ConfigKey.SCOPE_APPS, "all", ConfigKey.REFRESH_INTERVAL, "60s"));
    }

    Daemon daemon(Supplier<PeerSource> source, Runnable onReady) {
        AgentConfig config = TestConfig.of(settings);
        daemon = new Daemon(config, source, lifecycle, new Tools(config, tools), new PeerState(stateDir), onReady,
                new SplittableRandom(7), time, time);
        return daemon;
    }

    /** Runs the loop on this thread; {@code atWait} sees each wait's number, and the loop stops after {@code waits}. */
    int run(int waits, Consumer<Integer> atWait) throws InterruptedException {
        if (daemon == null) {
            daemon(() -> group, ready::incrementAndGet);
        }
        time.onWait(n -> {
            atWait.accept(n);
            if (n >= waits) {
                daemon.stop();
            }
        });
        return daemon.run();
    }

    static List<String> argv(String... words) {
        return List.of(words);
    }

    @Test
    void run_quietGroup_refreshesEveryIntervalJittered_thenStopsWith0_leavingNetAndScopeRunning() throws Exception {
        int code = run(5, n -> { });

        assertThat(code).isZero();
        assertThat(daemon.state().phase()).isEqualTo(Phase.STOPPED);
        assertThat(group.calls).as("a discovery per wait").isEqualTo(5);
        assertThat(group.closed).as("the daemon owns the source it opened").isTrue();
        assertThat(time.waits()).allSatisfy(w -> assertThat(w).isBetween(Duration.ofSeconds(48),
                Duration.ofSeconds(72)));
        assertThat(tools.calls).as("Scope and Net left running: no stop but the one before Scope's launch")
                .filteredOn(c -> c.contains("stop")).containsExactly(argv("scope", "stop"));
        assertThat(tools.netRunning).isTrue();
        assertThat(daemonLog.lines()).contains("stopping; nholuongut Net and Scope are left running");
    }

    @Test
    void run_outageStreak_backsOffWithFullJitterUpToTheCap_andOneWarn_thenTheIntervalAgain() throws Exception {
        run(14, n -> {
            if (n == 1) {
                group.down(true);
            } else if (n == 12) {
                group.down(false);
            }
        });

        List<Duration> waits = time.waits();
        // After the n-th failure a wait is drawn from [0, min(5 min, 5 s x 2^(n-1))].
        for (int failure = 1; failure <= 11; failure++) {
            long ceiling = Math.min(Duration.ofMinutes(5).toMillis(), 5000L << (failure - 1));
            assertThat(waits.get(failure).toMillis()).as("wait after failure %d", failure).isBetween(100L, ceiling);
        }
        assertThat(waits.subList(1, 12)).as("the cap").allMatch(w -> w.compareTo(Duration.ofMinutes(5)) <= 0);
        assertThat(waits.get(12)).as("an interval again").isBetween(Duration.ofSeconds(48), Duration.ofSeconds(72));
        assertThat(discoveryLog.lines()).filteredOn(l -> l.startsWith("discovery failed")).singleElement().asString()
                .startsWith("discovery failed, keeping the last good peers and retrying with backoff: cannot reach AWS");
        assertThat(discoveryLog.lines()).contains("discovery works again after 11 failed attempt(s)");
        assertThat(tools.launches).isEqualTo(1);
    }

    @Test
    void run_throttled_waitsAWholeIntervalMoreThanTheBackoff_andWarnsOncePerStreak() throws Exception {
        run(6, n -> {
            if (n == 1 || n == 4) {
                group.error = new UnavailableException("AWS throttled ec2:DescribeInstances after retries"
                        + " (RequestLimitExceeded, HTTP 503): Request limit exceeded.", null, true);
            } else if (n == 3 || n == 5) {
                group.error = null;
            }
        });

        List<Duration> waits = time.waits();
        assertThat(waits.get(1)).as("throttled: interval plus backoff").isGreaterThanOrEqualTo(Duration.ofSeconds(60));
        assertThat(waits.get(2)).isGreaterThanOrEqualTo(Duration.ofSeconds(60));
        assertThat(discoveryLog.lines()).filteredOn(l -> l.contains("(throttled: backing off beyond the refresh"
                + " interval)")).as("one WARN per streak, two streaks").hasSize(2);
    }

    @Test
    void run_apiBudget_stretchesTheIntervalWithTheGroupSize() throws Exception {
        settings.put(ConfigKey.REFRESH_INTERVAL, "1s");
        settings.put(ConfigKey.API_BUDGET, "1");

        run(6, n -> { });

        // 4 members x 1 call / 1 call per second: the first wait spread over [0, 5.6 s], then 4 to 5.6 s.
        assertThat(time.waits().subList(1, 6)).allSatisfy(w -> assertThat(w).isBetween(Duration.ofSeconds(4),
                Duration.ofMillis(5600)));
        assertThat(discoveryLog.lines()).contains("4 member(s): refreshing every 4s to keep the group within"
                + " API_BUDGET=1.0/s");
    }

    @Test
    void run_netLaunchSlowerThanReadyTimeout_reportsReadyOnceAtTheDeadline_andKeepsLaunching() throws Exception {
        tools.launchRelease = new CountDownLatch(1);
        AgentConfig config = TestConfig.of(settings);
        Tools real = new Tools(config, tools);
        // The deadline's wait ends once the launch hangs: its READY_TIMEOUT passes during the launch.
        Sleeper untilLaunching = (wake, d) -> {
            tools.launchStarted.await(10, TimeUnit.SECONDS);
            return wake.getCount() == 0;
        };
        Readiness readiness = new Readiness(real, true, untilLaunching);
        daemon(() -> group, readiness);
        readiness.startDeadline(Duration.ofSeconds(120), daemon::whyNetNotUp);
        Thread boot = new Thread(daemon::step);
        boot.start();

        List<String> notify = argv("systemd-notify", "--ready");
        assertThat(awaitCall(notify)).as("ready at the deadline, during the launch").isTrue();
        assertThat(tools.netRunning).isFalse();
        assertThat(readyLog.lines()).singleElement().asString().contains("nholuongut Net is not up after"
                + " READY_TIMEOUT=2m (nholuongut launch is running)");

        tools.launchRelease.countDown();
        boot.join(10_000);

        assertThat(tools.netRunning).isTrue();
        assertThat(tools.calls).filteredOn(notify::equals).as("ready once only").hasSize(1);
        assertThat(tools.scopeRunning).isTrue();
    }

    @Test
    void readiness_netUpBeforeTheDeadline_reportsOnce_andTheDeadlineStaysQuiet() throws Exception {
        AgentConfig config = TestConfig.of(settings);
        Tools real = new Tools(config, tools);
        CountDownLatch deadlineWaited = new CountDownLatch(1);
        CountDownLatch deadlineEnded = new CountDownLatch(1);
        Sleeper afterBoot = (wake, d) -> {
            deadlineWaited.await(10, TimeUnit.SECONDS);
            boolean woken = wake.getCount() == 0;
            deadlineEnded.countDown();
            return woken;
        };
        Readiness readiness = new Readiness(real, true, afterBoot);
        daemon(() -> group, readiness);
        readiness.startDeadline(Duration.ofSeconds(120), daemon::whyNetNotUp);
        daemon.step();
        deadlineWaited.countDown();

        assertThat(deadlineEnded.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(tools.calls).filteredOn(c -> c.get(0).equals("systemd-notify")).hasSize(1);
        assertThat(readyLog.lines()).isEmpty();
    }

    @Test
    void readiness_withoutNotifySocket_neverCallsSystemdNotify_evenAtTheDeadline() throws Exception {
        tools.failLaunches = 5;
        AgentConfig config = TestConfig.of(settings);
        Readiness readiness = new Readiness(new Tools(config, tools), false, (wake, d) -> false);
        daemon(() -> group, readiness);
        readiness.startDeadline(Duration.ofSeconds(1), daemon::whyNetNotUp);

        run(3, n -> { });

        assertThat(tools.calls("nholuongut", "launch")).hasSize(3);
        assertThat(tools.calls).noneMatch(c -> c.get(0).equals("systemd-notify"));
    }

    @Test
    void staticPeers_makeNoAwsCall_andTheConsensusCountsThisHostOnce() throws Exception {
        StaticPeerSource peers = new StaticPeerSource(new InstanceIdentity(null, null, null),
                List.of("10.9.0.2", "127.0.0.1", "10.9.0.3"), Set.of("127.0.0.1"));
        daemon(() -> peers, ready::incrementAndGet);

        run(2, n -> { });

        // 127.0.0.1 is this host: three members, not four, or Net's consensus would wait for a fourth forever.
        assertThat(tools.calls).containsExactly(argv("nholuongut", "status"),
                argv("nholuongut", "launch", "--ipalloc-init", "consensus=3", "10.9.0.2", "10.9.0.3", "127.0.0.1"),
                argv("scope", "stop"), argv("scope", "launch", "--probe.ecs=true", "10.9.0.2", "10.9.0.3", "127.0.0.1"));
    }

    @Test
    void staticPeersWithoutThisHost_countItInTheConsensus() throws Exception {
        StaticPeerSource peers = new StaticPeerSource(new InstanceIdentity(null, null, null),
                List.of("10.9.0.3", "10.9.0.2"), Set.of("127.0.0.1"));
        daemon(() -> peers, ready::incrementAndGet);

        daemon.step();

        assertThat(tools.consensus).isEqualTo("consensus=3");
        assertThat(tools.targets).containsExactly("10.9.0.2", "10.9.0.3");
    }

    @Test
    void cloudMode_passesTheTokenToScopeButNeverLogsIt_andNeverRelaunchesOnAChange() throws Exception {
        String token = "tok3n-" + System.nanoTime();
        settings.put(ConfigKey.SERVICE_TOKEN, token);
        tools.failScopeLaunches = 1;

        run(4, n -> {
            if (n == 2) {
                group.peers.remove(0);
            }
        });

        List<String> scope = argv("scope", "launch", "--probe.ecs=true", "--service-token=" + token);
        assertThat(tools.calls("scope", "launch")).as("retried once after its failure, then never again")
                .containsExactly(scope, scope);
        assertThat(tools.scopeArgs).containsExactly("--probe.ecs=true", "--service-token=" + token);
        assertThat(tools.calls).contains(argv("nholuongut", "forget", "10.0.0.2"));
        assertThat(String.join("\n", toolLog.lines())).doesNotContain(token).contains("--service-token=****");
    }

    @Test
    void netPassword_reachesOnlyLaunchsEnvironment_neverAnArgvOrLogLine() throws Exception {
        String password = "pw-" + System.nanoTime() + "-Zq";
        settings.put(ConfigKey.NET_PASSWORD, password);
        settings.put(ConfigKey.NET_LAUNCH_ARGS, "--plugin=false");

        daemon(() -> group, ready::incrementAndGet).step();

        assertThat(tools.password).as("Net got it, through its environment").isEqualTo(password);
        for (int i = 0; i < tools.calls.size(); i++) {
            boolean launch = tools.calls.get(i).subList(0, 2).equals(argv("nholuongut", "launch"));
            assertThat(tools.envs.get(i).containsKey(Tools.NET_PASSWORD_ENV)).as("%s", tools.calls.get(i))
                    .isEqualTo(launch);
        }
        assertThat(tools.calls).noneMatch(c -> c.contains("--password") || String.join(" ", c).contains(password));
        assertThat(String.join("\n", toolLog.lines())).doesNotContain(password);
    }

    @Test
    void passwordLeftInNetLaunchArgs_isMovedToLaunchsEnvironment() throws Exception {
        String password = "pw-" + System.nanoTime() + "-Kv";
        settings.put(ConfigKey.NET_LAUNCH_ARGS, "--plugin=false --password " + password);

        daemon(() -> group, ready::incrementAndGet).step();

        assertThat(tools.calls("nholuongut", "launch")).containsExactly(argv("nholuongut", "launch", "--ipalloc-init",
                "consensus=4", "--plugin=false", "10.0.0.2", "10.0.0.3", "10.0.0.4"));
        assertThat(tools.password).isEqualTo(password);
        assertThat(String.join("\n", toolLog.lines())).doesNotContain(password);
    }

    @Test
    void scopeDisabled_neverRunsScope() throws Exception {
        settings.put(ConfigKey.SCOPE_ENABLED, "false");

        run(3, n -> group.peers.remove(0));

        assertThat(tools.calls).noneMatch(c -> c.get(0).equals("scope"));
        assertThat(tools.targets).containsExactly("10.0.0.4");
    }

    @Test
    void netLaunchArgs_areSplitLikeAShell_andAnIpallocInitThereIsTheirs() throws Exception {
        settings.put(ConfigKey.NET_LAUNCH_ARGS, "--plugin=false --ipalloc-init observer --label 'a b;$(reboot)'");

        daemon(() -> group, ready::incrementAndGet).step();

        assertThat(tools.calls("nholuongut", "launch")).containsExactly(argv("nholuongut", "launch", "--plugin=false",
                "--ipalloc-init", "observer", "--label", "a b;$(reboot)", "10.0.0.2", "10.0.0.3", "10.0.0.4"));
    }

    @Test
    void warmed_launchesNothingAndAsksAwsNothing_readyAtOnce_thenBootsFreshWhenPutInService() throws Exception {
        lifecycle.target = "Warmed:Running";
        List<Integer> readyAt = new java.util.ArrayList<>();
        daemon(() -> group, () -> readyAt.add(group.calls));

        run(5, n -> {
            if (n == 3) {
                lifecycle.target = "InService";
            }
        });

        assertThat(group.calls).as("discoveries: none while warmed, then one per step").isEqualTo(2);
        assertThat(time.waits().subList(0, 3)).as("the state read every few seconds")
                .containsOnly(Daemon.WARM_POLL);
        assertThat(readyAt).as("ready at once while warmed, before any discovery; again when Net is up").startsWith(0)
                .hasSize(2);
        assertThat(tools.calls("nholuongut", "launch")).as("one launch, with the whole group, once in service")
                .containsExactly(argv("nholuongut", "launch", "--ipalloc-init", "consensus=4", "10.0.0.2",
                        "10.0.0.3", "10.0.0.4"));
        assertThat(tools.calls.get(0)).as("no tool before").isEqualTo(argv("nholuongut", "status"));
        assertThat(daemonLog.lines()).contains("target lifecycle state Warmed:Running: in the warm pool, launching"
                + " nothing and asking AWS nothing until this instance is put in service",
                "target lifecycle state InService: booting as a fresh instance");
    }

    @Test
    void warmed_stoppedWhileWarmed_exits0HavingRunNothing() throws Exception {
        lifecycle.target = "Warmed:Stopped";

        assertThat(run(2, n -> { })).isZero();

        assertThat(tools.calls).isEmpty();
        assertThat(group.calls).isZero();
        assertThat(daemon.state().phase()).isEqualTo(Phase.STOPPED);
    }

    @Test
    void sigterm_targetStateTerminated_resetsHandingTheSpaceOver_withOneInfo() throws Exception {
        run(2, n -> {
            if (n == 2) {
                lifecycle.target = "Terminated";
            }
        });

        assertThat(tools.calls).endsWith(argv("nholuongut", "reset"));
        assertThat(tools.calls("nholuongut", "rmpeer")).isEmpty();
        assertThat(leaveLog.lines()).filteredOn(l -> l.contains("nholuongut reset")).singleElement().asString()
                .startsWith("target lifecycle state Terminated: nholuongut reset handed this router's address space"
                        + " to the surviving peers (3)");
    }

    @Test
    void sigterm_spotNoticeToTerminate_orEc2ShuttingDown_resets() throws Exception {
        lifecycle.spotTerminating = true;
        run(1, n -> { });
        assertThat(tools.calls).endsWith(argv("nholuongut", "reset"));

        ToolModel again = new ToolModel();
        FakeGroup shuttingDown = new FakeGroup();
        shuttingDown.peers.addAll(group.peers);
        shuttingDown.selfState = "shutting-down";
        lifecycle.spotTerminating = false;
        AgentConfig config = TestConfig.of(settings);
        daemon = new Daemon(config, () -> shuttingDown, lifecycle, new Tools(config, again), new PeerState(stateDir),
                ready::incrementAndGet, new SplittableRandom(7), time, time);
        run(1, n -> { });
        assertThat(again.calls).endsWith(argv("nholuongut", "reset"));
        assertThat(leaveLog.lines()).anyMatch(l -> l.startsWith("EC2 describes this instance as shutting-down:"));
    }

    @Test
    void sigterm_rebootStopRestartOrUpgrade_neverResets() throws Exception {
        // A reboot, an agent restart or an in-place upgrade: still InService, EC2 says running. A stop: stopping.
        for (String ec2 : List.of("running", "stopping")) {
            ToolModel net = new ToolModel();
            FakeGroup members = new FakeGroup();
            members.peers.addAll(group.peers);
            members.selfState = ec2;
            lifecycle.target = "InService";
            AgentConfig config = TestConfig.of(settings);
            daemon = new Daemon(config, () -> members, lifecycle, new Tools(config, net), new PeerState(stateDir),
                    ready::incrementAndGet, new SplittableRandom(7), time, time);
            run(2, n -> { });
            assertThat(net.calls("nholuongut", "reset")).as("EC2: %s", ec2).isEmpty();
            assertThat(net.netRunning).isTrue();
        }
        assertThat(daemonLog.lines()).filteredOn(l -> l.startsWith("stopping")).containsOnly(
                "stopping; nholuongut Net and Scope are left running");
    }

    @Test
    void sigterm_duringASlowToolCall_isDecidedAtOnce_soTheCommandWaitsForTheReset() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean knownDuringTheTool = new java.util.concurrent.atomic.AtomicBoolean();
        run(2, n -> {
            if (n > 1) {
                return;
            }
            group.peers.add("10.0.0.9");
            lifecycle.target = "Terminated";
            tools.duringConnect = () -> {
                daemon.stop();
                // The decision comes from its own thread while this tool still runs.
                long end = System.nanoTime() + 5_000_000_000L;
                while (!daemon.leaving() && System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
                knownDuringTheTool.set(daemon.leaving());
            };
        });

        assertThat(knownDuringTheTool).as("known while the refresh still runs its tools").isTrue();
        assertThat(tools.calls).endsWith(argv("nholuongut", "reset"));
    }

    @Test
    void sigterm_duringTheBootAfterNetsLaunch_stillResets() throws Exception {
        // The decision is taken from the instance's facts; the state the boot ends in is read afterwards.
        lifecycle.target = "Terminated";
        daemon(() -> group, ready::incrementAndGet);
        tools.duringScopeLaunch = daemon::stop;

        run(5, n -> { });

        assertThat(tools.calls).endsWith(argv("nholuongut", "reset"));
        assertThat(group.calls).as("no refresh after the stop").isEqualTo(1);
    }

    @Test
    void sigterm_adoptedNetWithTheGroupUnknown_handsNothingOver() throws Exception {
        tools.netRunning = true;
        group.down(true);
        lifecycle.target = "InService";

        run(1, n -> lifecycle.target = "Terminated");

        assertThat(tools.calls("nholuongut", "reset")).isEmpty();
        assertThat(leaveLog.lines()).anyMatch(l -> l.contains("the group is not known yet, so nothing is handed over"));
    }

    @Test
    void sigterm_lastMemberTerminating_handsNothingOver() throws Exception {
        group.peers.clear();
        lifecycle.target = "InService";

        run(1, n -> lifecycle.target = "Terminated");

        assertThat(tools.calls("nholuongut", "reset")).isEmpty();
        assertThat(leaveLog.lines()).contains("target lifecycle state Terminated: the group's last member, nothing to"
                + " hand over; nholuongut Net is left as it is");
    }

    @Test
    void lifecycleFailing_bootsAsBefore_andAFailedReadWhileWarmedKeepsItWarmed() throws Exception {
        lifecycle.failing = true;
        run(2, n -> { });
        assertThat(tools.calls("nholuongut", "launch")).hasSize(1);
        assertThat(tools.calls("nholuongut", "reset")).isEmpty();

        ToolModel warmed = new ToolModel();
        FakeLifecycle flaky = new FakeLifecycle();
        flaky.target = "Warmed:Running";
        AgentConfig config = TestConfig.of(settings);
        daemon = new Daemon(config, () -> group, flaky, new Tools(config, warmed), new PeerState(stateDir),
                ready::incrementAndGet, new SplittableRandom(7), time, time);
        run(4, n -> flaky.failing = n < 3);
        assertThat(warmed.calls).as("still warmed through the failed reads").isEmpty();
    }

    @Test
    void lifecycleUnknown_metadataWithoutThePaths_changesNothing() throws Exception {
        run(2, n -> { });

        assertThat(lifecycle.reads).as("read before the boot and at SIGTERM").isEqualTo(2);
        assertThat(tools.calls("nholuongut", "launch")).hasSize(1);
        assertThat(tools.calls("nholuongut", "reset")).isEmpty();
    }

    /** Waits (in real time: another thread makes it) for {@code call} to be made. */
    boolean awaitCall(List<String> call) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            synchronized (tools) {
                if (tools.calls.contains(call)) {
                    return true;
                }
            }
            Thread.sleep(5);
        }
        return false;
    }
}
