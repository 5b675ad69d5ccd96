package com.nholuongut.ecs.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.nholuongut.ecs.aws.InstanceIdentity;
import com.nholuongut.ecs.aws.Lifecycle;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.daemon.Daemon;
import com.nholuongut.ecs.discovery.Discovery;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.slf4j.LoggerFactory;

/**
 * Auto Scaling churn on a virtual clock: a group of 20 real {@link Daemon}s, scaled in and out 10 times.
 * The fleet (instance states) and Net's IP address management (who owns how much of the range, what
 * {@code nholuongut report} says, what {@code rmpeer} takes over) are modelled in memory. Reports the dead
 * peers still owning address space at the end (goal 0) and the {@code rmpeer} calls per departed peer
 * (goal exactly 1). Run by {@code bench/daemon.sh}.
 */
public final class ChurnSimulation {

    static final String TAG = "nholuongut:peerGroupName";
    static final long RANGE = 1 << 20;

    private final SplittableRandom random = new SplittableRandom(2026);
    private final Map<Integer, String> state = new TreeMap<>();
    private final Map<String, Long> owned = new LinkedHashMap<>();
    private final Map<String, Integer> rmpeers = new HashMap<>();
    private final PriorityQueue<long[]> queue = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private final Map<Integer, Daemon> agents = new HashMap<>();
    private final Set<Integer> booted = new HashSet<>();
    private final Path stateRoot;
    private long now;
    /** The agents' clock: the simulation's time line. */
    private final VirtualTime clock = new VirtualTime();
    private int next;
    private int outages;

    ChurnSimulation(Path stateRoot) {
        this.stateRoot = stateRoot;
    }

    static String id(int i) {
        return String.format("i-%017x", 0x5000 + i);
    }

    static String address(int i) {
        return "10.1." + (i >> 8 & 255) + "." + (i & 255);
    }

    static String peerName(int i) {
        return String.format("ee:ee:ee:ee:%02x:%02x", i >> 8 & 255, i & 255);
    }

    static int ownerOf(String peerName) {
        return Integer.parseInt(peerName.substring(12, 14) + peerName.substring(15), 16);
    }

    private List<Peer> members() {
        List<Peer> list = new ArrayList<>();
        state.forEach((i, s) -> {
            if (s.equals("running")) {
                list.add(new Peer(id(i), address(i), s, "ip-" + address(i).replace('.', '-') + ".ec2.internal"));
            }
        });
        return list;
    }

    /** One agent's AWS: the running members; a host is present unless terminated. Fails during an outage. */
    private final class SimSource implements PeerSource {
        private final int index;

        SimSource(int index) {
            this.index = index;
        }

        @Override
        public Discovery discover() {
            if (outages > 0) {
                throw new com.nholuongut.ecs.UnavailableException("simulated outage", null);
            }
            List<Peer> all = members();
            List<Peer> peers = all.stream().filter(p -> !p.instanceId().equals(id(index))).toList();
            return new Discovery(new InstanceIdentity(id(index), "us-east-1", address(index)),
                    GroupSource.tag(TAG, "churn"), peers, all.size());
        }

        @Override
        public Set<String> presentHosts(Collection<String> hosts) {
            Set<String> present = new HashSet<>();
            state.forEach((i, s) -> {
                String host = "ip-" + address(i).replace('.', '-');
                if (!s.equals("terminated") && hosts.contains(host)) {
                    present.add(host);
                }
            });
            return present;
        }
    }

    /** One agent's tools: report from the shared address-space model, rmpeer moving ownership to it. */
    private ProcessRunner tools(int index) {
        return (argv, env, timeout) -> {
            String sub = argv.size() > 1 ? argv.get(1) : "";
            String out = "";
            if (sub.equals("report")) {
                out = report(index);
            } else if (sub.equals("rmpeer")) {
                String dead = argv.get(2);
                rmpeers.merge(dead, 1, Integer::sum);
                Long size = owned.remove(dead);
                if (size != null) {
                    owned.merge(peerName(index), size, Long::sum);
                }
            }
            return new ProcessRunner.Result(0, out, "", Duration.ZERO);
        };
    }

    private String report(int index) {
        StringBuilder sb = new StringBuilder("{\"Router\": {\"Name\": \"" + peerName(index) + "\", \"Peers\": [");
        String sep = "";
        for (Map.Entry<Integer, String> e : state.entrySet()) {
            if (e.getValue().equals("running")) {
                sb.append(sep).append("{\"Name\": \"").append(peerName(e.getKey())).append("\", \"NickName\": \"ip-")
                        .append(address(e.getKey()).replace('.', '-')).append("\"}");
                sep = ", ";
            }
        }
        sb.append("]}, \"IPAM\": {\"Entries\": [");
        sep = "";
        for (Map.Entry<String, Long> e : owned.entrySet()) {
            int owner = ownerOf(e.getKey());
            boolean alive = "running".equals(state.get(owner));
            sb.append(sep).append("{\"Peer\": \"").append(e.getKey()).append("\", \"Nickname\": \"ip-")
                    .append(address(owner).replace('.', '-')).append("\", \"Size\": ").append(e.getValue())
                    .append(", \"IsKnownPeer\": ").append(alive).append('}');
            sep = ", ";
        }
        return sb.append("]}}").toString();
    }

    private void launch(int count) throws IOException {
        for (int k = 0; k < count; k++) {
            int i = next++;
            state.put(i, "running");
            Path dir = Files.createDirectories(stateRoot.resolve("agent" + i));
            AgentConfig config = TestConfig.of(Map.of(ConfigKey.PEER_GROUP_TAG, TAG, ConfigKey.SCOPE_ENABLED, "false",
                    ConfigKey.NET_BIN, "/bin/true", ConfigKey.SCOPE_BIN, "/bin/true",
                    ConfigKey.STATE_DIR, dir.toString()));
            agents.put(i, new Daemon(config, () -> new SimSource(i), Lifecycle.UNKNOWN, new Tools(config, tools(i)),
                    new PeerState(dir), () -> { }, random.split(), clock, clock));
            queue.add(new long[] {now + random.nextLong(30_000), i});
        }
    }

    private void runUntil(long until) {
        while (!queue.isEmpty() && queue.peek()[0] <= until) {
            long[] e = queue.poll();
            int i = (int) e[1];
            if (!"running".equals(state.get(i))) {
                continue;
            }
            now = e[0];
            clock.set(now);
            Daemon agent = agents.get(i);
            if (booted.add(i)) {
                agent.step();
                if (!owned.containsKey(peerName(i))) {
                    // A new peer gets its share of the range from a live peer, as Net's allocator does.
                    owned.entrySet().stream()
                            .filter(o -> "running".equals(state.get(ownerOf(o.getKey()))))
                            .max(Map.Entry.comparingByValue()).ifPresent(donor -> {
                                long half = donor.getValue() / 2;
                                donor.setValue(donor.getValue() - half);
                                owned.put(peerName(i), half);
                            });
                }
            } else {
                agent.step();
            }
            queue.add(new long[] {now + agent.nextDelay().toMillis(), i});
        }
        now = until;
    }

    void run(int size, int cycles, int churn) throws IOException {
        launch(size);
        for (int i = 0; i < size; i++) {
            owned.put(peerName(i), RANGE / size);
        }
        runUntil(5 * 60_000);
        int departed = 0;
        for (int c = 0; c < cycles; c++) {
            // Scale in: Auto Scaling terminates `churn` random members.
            List<Integer> running = state.entrySet().stream().filter(e -> e.getValue().equals("running"))
                    .map(Map.Entry::getKey).toList();
            List<Integer> victims = new ArrayList<>(running);
            java.util.Collections.shuffle(victims, new java.util.Random(random.nextLong()));
            for (int v : victims.subList(0, churn)) {
                state.put(v, "terminated");
                departed++;
            }
            if (c % 3 == 1) {
                // Now and then AWS is unreachable for two minutes right after a scale-in.
                outages++;
                runUntil(now + 2 * 60_000);
                outages--;
            }
            runUntil(now + 3 * 60_000);
            // Scale out: as many new instances, which boot and join.
            launch(churn);
            runUntil(now + 5 * 60_000);
        }
        runUntil(now + 10 * 60_000);
        long deadHolders = owned.keySet().stream().filter(n -> !"running".equals(state.get(ownerOf(n)))).count();
        int once = 0;
        int more = 0;
        int never = 0;
        for (Map.Entry<Integer, String> e : state.entrySet()) {
            if (e.getValue().equals("terminated")) {
                int n = rmpeers.getOrDefault(peerName(e.getKey()), 0);
                if (n == 1) {
                    once++;
                } else if (n == 0) {
                    never++;
                } else {
                    more++;
                }
            }
        }
        long total = rmpeers.values().stream().mapToLong(Integer::longValue).sum();
        System.out.printf("reclaim: %d members, %d scale-in/scale-out cycles of %d (%d departed, AWS outages"
                        + " after %d scale-ins): dead peers still owning address space %d (goal 0); rmpeer calls"
                        + " per departed peer %.2f (goal 1): exactly once %d, never %d, more than once %d%n",
                size, cycles, churn, departed, (cycles + 1) / 3, deadHolders, total / (double) departed, once,
                never, more);
        if (deadHolders != 0 || once != departed) {
            System.exit(1);
        }
    }

    public static void main(String[] args) throws IOException {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.OFF);
        logging.getLogger("com.nholuongut").setLevel(Level.OFF);
        Path root = Files.createTempDirectory("churn-sim-");
        try {
            new ChurnSimulation(root).run(20, 10, 5);
        } finally {
            try (var files = Files.walk(root)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
