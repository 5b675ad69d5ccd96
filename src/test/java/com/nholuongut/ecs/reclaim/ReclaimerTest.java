package com.nholuongut.ecs.reclaim;

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
import com.nholuongut.ecs.testing.TestConfig;
import com.nholuongut.ecs.testing.VirtualTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reclaim rule on its own: who acts, after how many checks, and what is never touched. */
class ReclaimerTest {

    static final String DEAD = "dd:dd:dd:dd:dd:dd";

    @TempDir
    Path state;
    final VirtualTime clock = new VirtualTime();
    /** The time between two refreshes. */
    Duration interval = Duration.ofSeconds(60);

    /** A member's tools: `report` lists one dead peer on host ip-10-0-0-9; every call is recorded. */
    static class Net implements ProcessRunner {
        final List<List<String>> calls = new ArrayList<>();

        @Override
        public Result run(List<String> argv, Map<String, String> env, Duration timeout) {
            calls.add(argv.subList(1, argv.size()));
            String out = argv.get(1).equals("report")
                    ? "{\"Router\": {\"Name\": \"aa:aa:aa:aa:aa:01\", \"Peers\": []}, \"IPAM\": {\"Entries\": ["
                    + "{\"Peer\": \"" + DEAD + "\", \"Nickname\": \"ip-10-0-0-9\", \"Size\": 512, \"IsKnownPeer\": false},"
                    + "{\"Peer\": \"--help\", \"Nickname\": \"ip-10-0-0-8\", \"Size\": 8, \"IsKnownPeer\": false}]}}"
                    : "";
            return new Result(0, out, "", Duration.ZERO);
        }

        long rmpeers() {
            return calls.stream().filter(c -> c.get(0).equals("rmpeer")).count();
        }
    }

    /** AWS: which hosts still have an instance; can be made to fail. */
    static final class Aws implements PeerSource {
        final Set<String> present = new HashSet<>();
        boolean failing;

        @Override
        public Discovery discover() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<String> presentHosts(Collection<String> hosts) {
            if (failing) {
                throw new UnavailableException("outage", null);
            }
            Set<String> found = new HashSet<>(hosts);
            found.retainAll(present);
            return found;
        }
    }

    Reclaimer reclaimer(Net net, Path dir) {
        AgentConfig config = TestConfig.of(Map.of(ConfigKey.PEER_GROUP_TAG, "k", ConfigKey.SCOPE_ENABLED, "false",
                ConfigKey.NET_BIN, "/bin/true", ConfigKey.SCOPE_BIN, "/bin/true", ConfigKey.STATE_DIR, dir.toString()));
        return new Reclaimer(new Tools(config, net), dir, clock);
    }

    static Discovery view(String self, String... others) {
        List<Peer> peers = new ArrayList<>();
        for (String id : others) {
            peers.add(new Peer(id, "10.0.0." + id.charAt(id.length() - 1), "running"));
        }
        return new Discovery(new InstanceIdentity(self, "us-east-1", "10.0.0.250"), GroupSource.tag("k", "v"), peers,
                peers.size() + 1);
    }

    /** {@code times} refreshes, one {@link #interval} apart on the reclaimers' clock. */
    void refresh(Reclaimer r, Discovery view, Aws aws, int times) {
        for (int i = 0; i < times; i++) {
            clock.advance(interval);
            r.afterRefresh(view, aws);
        }
    }

    static long reports(Net net) {
        return net.calls.stream().filter(c -> c.get(0).equals("report")).count();
    }

    @Test
    void quietGroup_neverCallsATool_evenOnTheLowestMember() {
        Net net = new Net();
        refresh(reclaimer(net, state), view("i-1", "i-2", "i-3"), new Aws(), 25);
        assertThat(net.calls).as("no tool call when nothing changed, at boot or later").isEmpty();
    }

    @Test
    void lowestMember_reclaimsAfterTwoChecksFollowingADeparture_onceEvenAcrossARestart() {
        Net net = new Net();
        Aws aws = new Aws();
        Reclaimer r = reclaimer(net, state);

        r.afterRefresh(view("i-1", "i-2", "i-3"), aws);
        r.afterRefresh(view("i-1", "i-2"), aws);
        assertThat(net.calls).as("the refresh that sees i-3 leave only updates the peers").isEmpty();
        r.afterRefresh(view("i-1", "i-2"), aws);
        assertThat(reports(net)).isEqualTo(1);
        assertThat(net.rmpeers()).as("one check is not enough").isZero();
        r.afterRefresh(view("i-1", "i-2"), aws);
        assertThat(net.calls).contains(List.of("rmpeer", DEAD));
        assertThat(net.rmpeers()).as("--help is not a peer name: never passed to rmpeer").isEqualTo(1);

        Reclaimer restarted = reclaimer(net, state);
        restarted.afterRefresh(view("i-1", "i-2"), aws);
        refresh(restarted, view("i-1"), aws, 4);
        assertThat(reports(net)).as("a new departure makes it look again").isGreaterThan(2);
        assertThat(net.rmpeers()).as("remembered in reclaimed.json").isEqualTo(1);
    }

    /** As {@link #view}, with some of the group stopped: they are not peers, but still in the group. */
    static Discovery viewWithStopped(String self, List<String> running, List<String> stopped) {
        Discovery live = view(self, running.toArray(String[]::new));
        List<Peer> down = stopped.stream()
                .map(id -> new Peer(id, "10.0.0." + id.charAt(id.length() - 1), "stopped")).toList();
        return new Discovery(live.self(), live.source(), live.peers(), live.members(), down);
    }

    @Test
    void stoppedThenTerminatedLater_isADepartureWhenTerminated() {
        Net net = new Net();
        Aws aws = new Aws();
        aws.present.add("ip-10-0-0-9");
        Reclaimer r = reclaimer(net, state);
        r.afterRefresh(view("i-1", "i-2", "i-9"), aws);
        // i-9 is stopped: still in the group; its host is there, so nothing is reclaimed, whatever the watch.
        refresh(r, viewWithStopped("i-1", List.of("i-2"), List.of("i-9")), aws, 30);
        assertThat(net.calls).as("stopping is no departure").isEmpty();

        aws.present.clear();
        refresh(r, view("i-1", "i-2"), aws, 3);
        assertThat(net.calls).contains(List.of("rmpeer", DEAD));
    }

    @Test
    void memberLeavingBeforeTheFirstRefresh_isADepartureFromTheBootGroup() {
        Net net = new Net();
        Reclaimer r = reclaimer(net, state);
        r.booted(view("i-1", "i-2", "i-9"));
        assertThat(net.calls).as("boot only takes in the group").isEmpty();
        refresh(r, view("i-1", "i-2"), new Aws(), 3);
        assertThat(net.calls).contains(List.of("rmpeer", DEAD));

        Net saved = new Net();
        Reclaimer restarted = reclaimer(saved, state.resolve("b"));
        restarted.lastKnown(List.of("10.0.0.2", "10.0.0.9"));
        restarted.booted(view("i-1", "i-2"));
        refresh(restarted, view("i-1", "i-2"), new Aws(), 2);
        assertThat(saved.rmpeers()).as("gone while the agent was down, seen at boot").isEqualTo(1);
    }

    @Test
    void membersGoneWhileTheAgentWasDown_areFoundFromTheSavedPeers() {
        Net net = new Net();
        Reclaimer r = reclaimer(net, state);
        r.lastKnown(List.of("10.0.0.2", "10.0.0.9"));
        refresh(r, view("i-1", "i-2"), new Aws(), 3);
        assertThat(net.rmpeers()).isEqualTo(1);

        Net quiet = new Net();
        Reclaimer unchanged = reclaimer(quiet, state.resolve("b"));
        unchanged.lastKnown(List.of("10.0.0.2"));
        refresh(unchanged, view("i-1", "i-2"), new Aws(), 5);
        assertThat(quiet.calls).as("nobody left while it was down").isEmpty();
    }

    @Test
    void shortRefreshInterval_stillWatchesTenMinutes() {
        Net net = new Net();
        Aws aws = new Aws();
        aws.present.add("ip-10-0-0-9");
        AgentConfig config = TestConfig.of(Map.of(ConfigKey.PEER_GROUP_TAG, "k", ConfigKey.REFRESH_INTERVAL, "1s",
                ConfigKey.SCOPE_ENABLED, "false", ConfigKey.NET_BIN, "/bin/true", ConfigKey.SCOPE_BIN, "/bin/true",
                ConfigKey.STATE_DIR, state.toString()));
        interval = Duration.ofSeconds(5);
        Reclaimer r = new Reclaimer(new Tools(config, net), state, clock);
        r.afterRefresh(view("i-1", "i-2", "i-3"), aws);
        refresh(r, view("i-1", "i-2"), aws, 200);
        assertThat(reports(net)).as("600 s at 5 s").isEqualTo(120);
    }

    @Test
    void rmpeerFailing_isRetriedDuringTheWatch_thenGivenUpWithAWarning() {
        Net net = new Net() {
            @Override
            public Result run(List<String> argv, Map<String, String> env, Duration timeout) {
                Result r = super.run(argv, env, timeout);
                return argv.get(1).equals("rmpeer") ? new Result(1, "", "no such peer", Duration.ZERO) : r;
            }
        };
        Reclaimer r = reclaimer(net, state);
        r.afterRefresh(view("i-1", "i-2", "i-3"), new Aws());
        refresh(r, view("i-1", "i-2"), new Aws(), 40);
        assertThat(net.rmpeers()).as("every check from the second on, 10 refreshes plus 2 extra")
                .isEqualTo(11);
        long calls = net.calls.size();
        refresh(r, view("i-1", "i-2"), new Aws(), 10);
        assertThat(net.calls).hasSize((int) calls);
    }

    @Test
    void otherMembers_neverLookNorReclaim() {
        Net net = new Net();
        Reclaimer r = reclaimer(net, state);
        r.afterRefresh(view("i-2", "i-1", "i-3", "i-4"), new Aws());
        refresh(r, view("i-2", "i-1", "i-3"), new Aws(), 25);
        assertThat(net.calls).isEmpty();
    }

    @Test
    void hostStillThere_stoppedOrReused_isNeverReclaimed_andTheWatchEnds() {
        Net net = new Net();
        Aws aws = new Aws();
        aws.present.add("ip-10-0-0-9");
        Reclaimer r = reclaimer(net, state);
        r.afterRefresh(view("i-1", "i-2", "i-3"), aws);
        refresh(r, view("i-1", "i-2"), aws, 25);
        assertThat(net.rmpeers()).isZero();
        assertThat(reports(net)).as("looks for 10 minutes (10 refreshes of 60 s) after the departure, then stops")
                .isEqualTo(10);
    }

    @Test
    void hostBackBetweenChecks_restartsTheCount() {
        Net net = new Net();
        Aws aws = new Aws();
        Reclaimer r = reclaimer(net, state);
        r.afterRefresh(view("i-1", "i-2", "i-3", "i-4"), aws);
        refresh(r, view("i-1", "i-2", "i-3"), aws, 2);
        aws.present.add("ip-10-0-0-9");
        r.afterRefresh(view("i-1", "i-2", "i-3"), aws);
        aws.present.clear();
        r.afterRefresh(view("i-1", "i-2", "i-3"), aws);
        assertThat(net.rmpeers()).as("the count started over at 1").isZero();
        r.afterRefresh(view("i-1", "i-2", "i-3"), aws);
        assertThat(net.rmpeers()).isEqualTo(1);
    }

    @Test
    void awsFailing_decidesNothing() {
        Net net = new Net();
        Aws aws = new Aws();
        aws.failing = true;
        Reclaimer r = reclaimer(net, state);
        r.afterRefresh(view("i-1", "i-2", "i-3"), aws);
        refresh(r, view("i-1", "i-2"), aws, 5);
        assertThat(net.rmpeers()).isZero();
    }

    @Test
    void theLowestLeaving_theNextLowestTakesOver() {
        Net second = new Net();
        Aws aws = new Aws();
        Reclaimer r = reclaimer(second, state);
        r.afterRefresh(view("i-2", "i-1", "i-3"), aws);
        refresh(r, view("i-2", "i-3"), aws, 3);
        assertThat(second.rmpeers()).isEqualTo(1);
    }

    @Test
    void aLowerMemberJoining_stopsTheOldLowest_andNobodyReclaimsTwice() {
        Net first = new Net();
        Net newcomer = new Net();
        Aws aws = new Aws();
        Reclaimer a = reclaimer(first, state.resolve("a"));
        Reclaimer b = reclaimer(newcomer, state.resolve("b"));

        a.afterRefresh(view("i-2", "i-3", "i-4"), aws);
        refresh(a, view("i-2", "i-3"), aws, 2);
        // i-1 joins before the second check: from now on it is the lowest; i-2 stops at once.
        refresh(a, view("i-2", "i-1", "i-3"), aws, 3);
        refresh(b, view("i-1", "i-2", "i-3"), aws, 3);
        assertThat(first.rmpeers()).isZero();
        assertThat(newcomer.calls).as("a departure from before its time is not the newcomer's to see").isEmpty();

        // The next departure makes the newcomer look: the report shows every dead peer, old ones too.
        refresh(a, view("i-2", "i-1"), aws, 3);
        refresh(b, view("i-1", "i-2"), aws, 3);
        assertThat(first.rmpeers()).isZero();
        assertThat(newcomer.rmpeers()).isEqualTo(1);
    }
}
