package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.AgentException;
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
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * Takes back the IP address space of members that left for good, on exactly one survivor: the current
 * member with the lowest instance id, which every agent computes from the same AWS view, so no
 * coordination is needed. Only that member asks AWS about the missing ones; a member counts as departed
 * when AWS shows it gone (terminated, shutting down, out of the group) on two consecutive successful
 * refreshes. What was reclaimed is kept in {@code STATE_DIR/reclaimed.json}, so a restart never repeats it.
 */
final class Reclaimer {

    static final String FILE = "reclaimed.json";
    /** Consecutive successful refreshes that must show a member gone: one API hiccup is not a departure. */
    static final int GRACE = 2;
    /** Refreshes a missing member is remembered, so a new lowest member can take over the reclaim. */
    static final int PATIENCE = 10;

    private static final Logger log = LoggerFactory.getLogger(Reclaimer.class);

    /** A member no longer listed: what we knew of it, for how many refreshes, how often AWS confirmed it gone. */
    private static final class Missing {
        final Peer peer;
        int age;
        int confirmations;

        Missing(Peer peer) {
            this.peer = peer;
        }
    }

    private final Tools tools;
    private final Path file;
    private final Map<String, String> reclaimed;
    private final Map<String, Missing> missing = new LinkedHashMap<>();
    private Map<String, Peer> previous;

    Reclaimer(Tools tools, Path stateDir) {
        this.tools = tools;
        this.file = stateDir.resolve(FILE);
        this.reclaimed = load(file);
    }

    /** Called after each successful discovery, once Net has been told about the new peers. */
    void afterRefresh(Discovery discovery, PeerSource source) {
        Map<String, Peer> current = new HashMap<>();
        for (Peer p : discovery.peers()) {
            if (p.instanceId() != null) {
                current.put(p.instanceId(), p);
            }
        }
        if (previous != null) {
            previous.forEach((id, peer) -> {
                if (!current.containsKey(id) && !reclaimed.containsKey(id)) {
                    missing.putIfAbsent(id, new Missing(peer));
                }
            });
        }
        previous = current;
        // Back in the list (stopped and started again, or an API hiccup): not departed.
        missing.keySet().removeIf(current::containsKey);
        if (missing.isEmpty()) {
            return;
        }
        String self = discovery.self().instanceId();
        boolean lowest = self != null && current.keySet().stream().allMatch(id -> self.compareTo(id) < 0);
        for (Iterator<Missing> it = missing.values().iterator(); it.hasNext();) {
            Missing m = it.next();
            if (++m.age > PATIENCE) {
                it.remove();
            }
        }
        if (!lowest || missing.isEmpty()) {
            return;
        }
        Set<String> gone;
        try {
            gone = source.departed(missing.keySet());
        } catch (AgentException e) {
            log.debug("cannot tell whether {} left: {}", missing.keySet(), e.getMessage());
            return;
        }
        boolean due = false;
        for (Iterator<Map.Entry<String, Missing>> it = missing.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Missing> e = it.next();
            if (gone.contains(e.getKey())) {
                e.getValue().confirmations++;
                due |= e.getValue().confirmations >= GRACE;
            } else {
                // Stopped, or otherwise still in the group: never reclaimed.
                it.remove();
            }
        }
        if (due) {
            reclaimDue();
        }
    }

    private void reclaimDue() {
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
        for (Iterator<Map.Entry<String, Missing>> it = missing.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Missing> e = it.next();
            Missing m = e.getValue();
            if (m.confirmations < GRACE) {
                continue;
            }
            String id = e.getKey();
            Optional<String> name = report.find(m.peer.dnsName(), m.peer.address());
            if (name.isEmpty()) {
                log.info("departed {} ({}): no peer holds address space for it; nothing to reclaim", id,
                        m.peer.address());
                remember(id, "");
                it.remove();
                continue;
            }
            long held = report.addressesHeldBy(name.get());
            if (tools.rmpeer(name.get())) {
                log.info("reclaimed the address space of departed {} ({}, peer {}): {} address(es) taken over",
                        id, m.peer.address(), name.get(), held);
                remember(id, name.get());
                it.remove();
            }
        }
    }

    private void remember(String instanceId, String peerName) {
        reclaimed.put(instanceId, peerName);
        StringBuilder json = new StringBuilder("{\"version\": 1, \"reclaimed\": {");
        String sep = "";
        for (Map.Entry<String, String> e : reclaimed.entrySet()) {
            json.append(sep).append('"').append(e.getKey()).append("\": \"").append(e.getValue()).append('"');
            sep = ", ";
        }
        json.append("}}\n");
        try {
            AtomicFile.write(file, json.toString());
        } catch (IOException e) {
            log.warn("cannot write {}: {}; a restart may reclaim {} again (harmless)", file, e.getMessage(),
                    instanceId);
        }
    }

    private static Map<String, String> load(Path file) {
        Map<String, String> done = new LinkedHashMap<>();
        try {
            JsonNode json = JsonNode.parser().parse(Files.readString(file, StandardCharsets.UTF_8));
            json.field("reclaimed").orElseThrow().asObject()
                    .forEach((id, name) -> done.put(id, name.isString() ? name.asString() : ""));
        } catch (NoSuchFileException e) {
            // first run
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring unreadable {}: {}", file, AgentException.oneLine(String.valueOf(e.getMessage())));
        }
        return done;
    }
}
