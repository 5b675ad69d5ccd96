package com.nholuongut.ecs.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.aws.Lifecycle;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.config.Durations;
import com.nholuongut.ecs.daemon.Daemon;
import com.nholuongut.ecs.daemon.Schedule;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.Ec2Pages;
import com.nholuongut.ecs.discovery.GroupSource;
import com.nholuongut.ecs.discovery.Peer;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.launch.ProcessRunner;
import com.nholuongut.ecs.launch.Tools;
import com.nholuongut.ecs.state.PeerState;
import com.nholuongut.ecs.testing.TestConfig;
import com.nholuongut.ecs.testing.VirtualTime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import org.slf4j.LoggerFactory;

/**
 * A fleet of agents in one process on a virtual clock: every agent is the real {@link Daemon} (its
 * scheduling, jitter, budget formula and apply logic), its AWS view an in-memory group that counts the
 * {@code DescribeInstances} pages each discovery would cost. Reports the fleet-wide AWS call rate in steady
 * state and how long a new member takes to reach every agent. Run by {@code bench/fleet.sh}.
 */
public final class FleetSimulation {

    static final String TAG = "nholuongut:peerGroupName";

    private final int size;
    private final double budget;
    private final Duration refresh;
    private final SplittableRandom random;
    private final Path stateDir;
    private final List<Peer> members = new ArrayList<>();
    private long[] callTimes = new long[1 << 16];
    private int calls;
    private long now;
    /** The agents' clock: the simulation's time line. */
    private final VirtualTime clock = new VirtualTime();
    private String newcomer;
    private long[] firstSeen;

    FleetSimulation(int size, double budget, Duration refresh, long seed, Path stateDir) {
        this.size = size;
        this.budget = budget;
        this.refresh = refresh;
        this.random = new SplittableRandom(seed);
        this.stateDir = stateDir;
    }

    /** One simulated agent's view of AWS: the shared group, a call counted per 1000 members. */
    private final class SimSource implements PeerSource {
        private final int index;
        private final InstanceIdentity self;
        private boolean located;

        SimSource(int index, Peer me) {
            this.index = index;
            this.self = new InstanceIdentity(me.instanceId(), "us-east-1", me.address());
        }

        @Override
        public Discovery discover() {
            int pages = Ec2Pages.forMembers(members.size());
            if (!located) {
                // At boot the agent first learns its group: DescribeTags of its own tag (tag mode).
                located = true;
                pages++;
            }
            for (int p = 0; p < pages; p++) {
                if (calls == callTimes.length) {
                    callTimes = Arrays.copyOf(callTimes, calls * 2);
                }
                callTimes[calls++] = now;
            }
            List<Peer> peers = new ArrayList<>(members.size());
            boolean sawNewcomer = false;
            for (Peer m : members) {
                if (!m.instanceId().equals(self.instanceId())) {
                    peers.add(m);
                    sawNewcomer |= m.address().equals(newcomer);
                }
            }
            if (sawNewcomer && index < firstSeen.length && firstSeen[index] < 0) {
                firstSeen[index] = now;
            }
            return new Discovery(self, GroupSource.tag(TAG, "sim"), peers, members.size());
        }
    }

    private record Event(long time, int agent) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            return Long.compare(time, o.time);
        }
    }

    /** The measured outcome for one group size. */
    record Result(int size, Duration effective, double steadyRate, double peakMinuteRate, long bootCalls,
                  Duration propagation) {
    }

    Result run() {
        for (int i = 0; i < size; i++) {
            members.add(peer(i));
        }
        firstSeen = new long[size];
        Arrays.fill(firstSeen, -1);
        AgentConfig config = TestConfig.of(Map.of(ConfigKey.PEER_GROUP_TAG, TAG,
                ConfigKey.REFRESH_INTERVAL, refresh.toMillis() + "ms", ConfigKey.SCOPE_ENABLED, "false",
                ConfigKey.NET_BIN, "/bin/true", ConfigKey.SCOPE_BIN, "/bin/true",
                ConfigKey.STATE_DIR, stateDir.toString(), ConfigKey.API_BUDGET, String.valueOf(budget),
                ConfigKey.RECLAIM_DEPARTED, "false"));
        ProcessRunner noTools = (argv, env, timeout) -> new ProcessRunner.Result(0, "", "", Duration.ZERO);
        Tools tools = new Tools(config, noTools);
        PeerState state = new PeerState(stateDir);
        List<Daemon> agents = new ArrayList<>();
        PriorityQueue<Event> queue = new PriorityQueue<>();
        long bootWindow = 60_000;
        for (int i = 0; i <= size; i++) {
            int index = i;
            Daemon daemon = new Daemon(config, () -> new SimSource(index, peer(index)), Lifecycle.UNKNOWN, tools,
                    state, () -> { }, random.split(), clock, clock);
            agents.add(daemon);
            if (i < size) {
                // An Auto Scaling Group launching the whole group within a minute.
                queue.add(new Event(random.nextLong(bootWindow), i));
            }
        }
        Duration effective = Schedule.effectiveInterval(refresh, size, budget);
        long changeAt = bootWindow + 3 * effective.toMillis();
        long end = changeAt + 3 * effective.toMillis();
        queue.add(new Event(changeAt, size));
        boolean[] booted = new boolean[size + 1];
        int bootCalls = 0;
        while (!queue.isEmpty()) {
            Event e = queue.poll();
            if (e.time() > end) {
                break;
            }
            now = e.time();
            clock.set(now);
            Daemon agent = agents.get(e.agent());
            if (!booted[e.agent()]) {
                if (e.agent() == size) {
                    // The membership change: a new instance joins and boots.
                    Peer joining = peer(size);
                    members.add(joining);
                    newcomer = joining.address();
                }
                int before = calls;
                agent.step();
                booted[e.agent()] = true;
                if (e.agent() < size) {
                    bootCalls += calls - before;
                }
            } else {
                agent.step();
            }
            queue.add(new Event(now + agent.nextDelay().toMillis(), e.agent()));
        }
        // Steady state: from one interval after the boot window up to the change.
        long from = bootWindow + effective.toMillis();
        double steady = count(from, changeAt) / ((changeAt - from) / 1000.0);
        long minute = 60_000;
        double peak = 0;
        for (long t = from; t + minute <= changeAt; t += minute / 4) {
            peak = Math.max(peak, count(t, t + minute) / 60.0);
        }
        long last = Arrays.stream(firstSeen).max().orElse(-1);
        boolean everyone = Arrays.stream(firstSeen).allMatch(t -> t >= 0);
        Duration propagation = everyone ? Duration.ofMillis(last - changeAt) : null;
        return new Result(size, effective, steady, peak, bootCalls, propagation);
    }

    private long count(long from, long to) {
        long n = 0;
        for (int i = 0; i < calls; i++) {
            if (callTimes[i] >= from && callTimes[i] < to) {
                n++;
            }
        }
        return n;
    }

    private static Peer peer(int i) {
        return new Peer(String.format("i-%017x", 0x1000 + i), "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "."
                + (i & 255), "running");
    }

    public static void main(String[] args) throws IOException {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
        logging.getLogger("com.nholuongut").setLevel(Level.OFF);
        double budget = Double.parseDouble(System.getProperty("budget", "2"));
        Duration refresh = Durations.parse(System.getProperty("refresh", "60s"));
        int[] sizes = args.length == 0 ? new int[] {10, 100, 1000, 5000}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Path shm = Path.of("/dev/shm");
        Path stateDir = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of(System.getProperty(
                "java.io.tmpdir")), "fleet-sim-");
        System.out.printf("API_BUDGET=%s calls/s, REFRESH_INTERVAL=%s; each agent is the real daemon on a"
                + " virtual clock%n%n", budget, Durations.format(refresh));
        System.out.printf("%7s %12s %15s %17s %11s %14s %12s %s%n", "members", "interval", "calls/s steady",
                "calls/s peak 1min", "boot calls", "new peer seen", "in intervals", "goals");
        boolean ok = true;
        for (int size : sizes) {
            long t0 = System.nanoTime();
            Result r = new FleetSimulation(size, budget, refresh, 42 + size, stateDir).run();
            double intervals = r.propagation() == null ? Double.NaN
                    : r.propagation().toMillis() / (double) r.effective().toMillis();
            boolean underBudget = r.steadyRate() <= budget;
            boolean fast = r.propagation() != null && intervals <= 2.0;
            ok &= underBudget && fast;
            System.out.printf("%7d %12s %15.3f %17.3f %11d %14s %12.2f %s (%.1f s to simulate)%n", size,
                    Durations.format(r.effective()), r.steadyRate(), r.peakMinuteRate(), r.bootCalls(),
                    r.propagation() == null ? "never" : Durations.format(r.propagation()), intervals,
                    (underBudget ? "rate<=budget" : "RATE OVER BUDGET") + ", "
                            + (fast ? "seen<=2 intervals" : "SLOW PROPAGATION"),
                    (System.nanoTime() - t0) / 1e9);
        }
        try (var files = Files.walk(stateDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        System.exit(ok ? 0 : 1);
    }
}
