package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.Json;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.Peer;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.launch.RouterReport;
import com.nholuongut.ecs.launch.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * Takes back the IP address space of peers that left for good, on exactly one survivor: the current member
 * with the lowest instance id, which every agent computes from the same AWS view, so no coordination is
 * needed. That member reads the router's own view ({@code nholuongut report}: peers that own address space
 * but are gone from the topology) and asks AWS about their hosts; a peer is departed when no instance with
 * its host name is pending, running, stopping or stopped on two consecutive successful refreshes. So a
 * stopped instance, an unreachable running one, or a host name reused by a new instance is never taken
 * for departed, and the check needs no memory of who was there before (restarts, a new lowest member and
 * long outages are all covered). Reclaims are kept in {@code STATE_DIR/reclaimed.json}: never repeated.
 *
 * <p>The report is read only because of a change (SPEC: no tool call when nothing changed): after a member
 * left the group (terminated, or out of its Auto Scaling Group; a stopped instance is still in the group,
 * so one stopped first and terminated later leaves when it is terminated), for {@link #WATCH} minutes
 * and at least {@link #MIN_WATCH} refreshes from the next refresh on, since the router may count a dead
 * peer as connected for a while. Members gone while this agent was down are found at its first refresh
 * from the peers it last saved. A departure no agent finished (a lower id joined during the checks) is
 * found at the next one: the report shows every dead peer.
 */
final class Reclaimer {

    static final String FILE = "reclaimed.json";
    /** Consecutive successful checks that must find a peer's host gone: one API hiccup is not a departure. */
    static final int GRACE = 2;
    /** After a member left, the lowest member looks at the report for this many minutes... */
    static final int WATCH = 10;
    /** ...and at least this many refreshes. */
    static final int MIN_WATCH = 10;
    /** Net's peer names are MAC-like; anything else is not passed to rmpeer (it could read as an option). */
    private static final Pattern PEER_NAME = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");

    private static final Logger log = LoggerFactory.getLogger(Reclaimer.class);

    private final Tools tools;
    private final Path file;
    private final Map<String, String> reclaimed;
    private final Map<String, Integer> confirmations = new HashMap<>();
    /** Members seen, by host name, so a reclaim can name the instance and address (terminated ones lose both). */
    private final Map<String, Peer> hosts = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Peer> eldest) {
            return size() > 20_000;
        }
    };
    /** Refreshes a watch lasts: {@link #WATCH} minutes at {@code REFRESH_INTERVAL}, {@link #MIN_WATCH} at least. */
    private final int watchRefreshes;
    private Set<String> previousIds;
    /** The addresses this agent last saved, until its first refresh compares them with the group. */
    private Set<String> lastKnown;
    private int watch;
    /** Checks left for peers awaiting their second check once the watch is over (rmpeer failing, say). */
    private int extra;

    Reclaimer(Tools tools, Path stateDir, Duration refreshInterval) {
        this.tools = tools;
        this.watchRefreshes = (int) Math.max(MIN_WATCH,
                Math.ceil(Duration.ofMinutes(WATCH).toMillis() / (double) Math.max(1, refreshInterval.toMillis())));
        this.file = stateDir.resolve(FILE);
        this.reclaimed = load(file);
    }

    /** The peers saved before this agent started: those no longer in the group at the first refresh left. */
    void lastKnown(java.util.Collection<String> addresses) {
        lastKnown = new java.util.TreeSet<>(com.nholuongut.ecs.discovery.Addresses.NUMERIC);
        lastKnown.addAll(addresses);
    }

    /** Called after each successful discovery, once Net and Scope have been told about the new peers. */
    void afterRefresh(Discovery discovery, PeerSource source) {
        List<Peer> group = new java.util.ArrayList<>(discovery.peers());
        group.addAll(discovery.stopped());
        Set<String> ids = group.stream().map(Peer::instanceId).filter(Objects::nonNull)
                .collect(Collectors.toSet());
        for (Peer p : group) {
            if (p.dnsName() != null && !p.dnsName().isEmpty()) {
                String dns = p.dnsName().toLowerCase(java.util.Locale.ROOT);
                hosts.put(dns, p);
                hosts.put(dns.contains(".") ? dns.substring(0, dns.indexOf('.')) : dns, p);
            }
        }
        boolean departed;
        if (previousIds != null) {
            departed = !ids.containsAll(previousIds);
        } else if (lastKnown != null) {
            group.forEach(p -> lastKnown.remove(p.address()));
            if (discovery.self().address() != null) {
                lastKnown.remove(discovery.self().address());
            }
            departed = !lastKnown.isEmpty();
        } else {
            departed = false;
        }
        previousIds = ids;
        lastKnown = null;
        if (departed) {
            watch = watchRefreshes + 1;
            extra = GRACE;
        }
        // Counted on every member, so that a next lowest taking over goes on watching for the same time.
        boolean watching = watch > 0;
        watch = Math.max(0, watch - 1);
        java.util.Optional<String> lowestId = discovery.lowestInstanceId();
        if (lowestId.isEmpty() || !lowestId.get().equals(discovery.self().instanceId())) {
            // Not ours to do (or static peers): the lowest member watches the same departures.
            confirmations.clear();
            return;
        }
        if (departed) {
            // The refresh that sees a member leave only updates the peers; the router needs a moment to
            // count the dead peer as gone anyway.
            return;
        }
        if (!watching) {
            if (confirmations.isEmpty() || extra == 0) {
                if (!confirmations.isEmpty()) {
                    log.warn("gave up reclaiming the address space of {} for now: it will be tried again after"
                            + " the next departure (nholuongut rmpeer by hand works too)", confirmations.keySet());
                    confirmations.clear();
                }
                return;
            }
            extra--;
        }
        check(source);
    }

    private void check(PeerSource source) {
        String text = tools.report();
        if (text == null) {
            return;
        }
        RouterReport report;
        try {
            report = RouterReport.parse(text);
        } catch (IllegalArgumentException e) {
            log.warn("cannot read nholuongut report: {}", e.getMessage());
            return;
        }
        Map<String, RouterReport.Holder> byName = new LinkedHashMap<>();
        for (RouterReport.Holder h : report.deadHolders()) {
            if (!PEER_NAME.matcher(h.name()).matches() || h.name().equals(report.ownName())
                    || reclaimed.containsKey(h.name())) {
                continue;
            }
            if (h.nickname() == null || h.nickname().isBlank()) {
                log.debug("peer {} owns {} address(es) but has no nickname to find its instance by", h.name(),
                        h.addresses());
                continue;
            }
            byName.put(h.name(), h);
        }
        confirmations.keySet().retainAll(byName.keySet());
        if (byName.isEmpty()) {
            return;
        }
        Set<String> present;
        try {
            present = source.presentHosts(byName.values().stream().map(RouterReport.Holder::nickname).toList());
        } catch (AgentException e) {
            // Not a successful check: the streak neither grows nor ends.
            log.debug("cannot check the hosts of unreachable peers: {}", e.getMessage());
            return;
        }
        for (RouterReport.Holder h : byName.values()) {
            if (present.contains(h.nickname())) {
                // Its instance is still there (stopped, unreachable, or the name went to a new instance).
                confirmations.remove(h.name());
                continue;
            }
            int seen = confirmations.merge(h.name(), 1, Integer::sum);
            log.debug("peer {} owns {} address(es); no instance has host {} (check {} of {})", h.name(),
                    h.addresses(), h.nickname(), seen, GRACE);
            if (seen < GRACE) {
                continue;
            }
            if (tools.rmpeer(h.name())) {
                Peer member = hosts.get(h.nickname().toLowerCase(java.util.Locale.ROOT));
                log.info("reclaimed the address space of departed peer {} (host {}, instance {}, address {}): {}"
                        + " address(es) taken over", h.name(), h.nickname(),
                        member == null ? "unknown" : member.instanceId(), member == null ? "unknown" : member.address(),
                        h.addresses());
                confirmations.remove(h.name());
                remember(h.name(), h.nickname());
            }
        }
    }

    private void remember(String peerName, String host) {
        reclaimed.put(peerName, host);
        StringBuilder json = new StringBuilder("{\"version\": 1, \"reclaimed\": {");
        String sep = "";
        for (Map.Entry<String, String> e : reclaimed.entrySet()) {
            json.append(sep).append(Json.str(e.getKey())).append(": ").append(Json.str(e.getValue()));
            sep = ", ";
        }
        json.append("}}\n");
        try {
            AtomicFile.write(file, json.toString());
        } catch (IOException e) {
            log.warn("cannot write {}: {}; a restart may run rmpeer for {} again (harmless)", file, e.getMessage(),
                    peerName);
        }
    }

    private static Map<String, String> load(Path file) {
        Map<String, String> done = new LinkedHashMap<>();
        try {
            JsonNode json = JsonNode.parser().parse(Files.readString(file, StandardCharsets.UTF_8));
            json.field("reclaimed").orElseThrow().asObject()
                    .forEach((name, host) -> done.put(name, host.isString() ? host.asString() : ""));
        } catch (NoSuchFileException e) {
            // first run
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring unreadable {}: {}", file, AgentException.oneLine(String.valueOf(e.getMessage())));
        }
        return done;
    }
}
