package com.nholuongut.ecs.launch;

import com.nholuongut.ecs.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code nholuongut report} says about the router's peers and who owns which part of the IP range:
 * {@code Router.Name}, {@code Router.Peers[].{Name,NickName}} and {@code IPAM.Entries[].{Peer,Nickname,Size,
 * IsKnownPeer}}: enough to tell which peers own address space although they are gone from the topology.
 */
public final class RouterReport {

    /** A peer that owns part of the IP range. */
    public record Holder(String name, String nickname, long addresses, boolean known) {
    }

    private final String ownName;
    private final Map<String, String> nicknames = new LinkedHashMap<>();
    private final Map<String, Holder> holders = new LinkedHashMap<>();

    private RouterReport(String ownName) {
        this.ownName = ownName;
    }

    /** @throws IllegalArgumentException when the text is not a report */
    public static RouterReport parse(String text) {
        Map<String, Object> root = Json.object(text);
        if (!(root.get("Router") instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("no Router in the report");
        }
        Map<String, Object> router = Json.objectField(root, "Router");
        RouterReport report = new RouterReport(Json.string(router, "Name"));
        for (Map<String, Object> peer : Json.objects(router, "Peers")) {
            String name = Json.string(peer, "Name");
            if (name != null) {
                report.nicknames.put(name, Json.string(peer, "NickName"));
            }
        }
        for (Map<String, Object> entry : Json.objects(Json.objectField(root, "IPAM"), "Entries")) {
            String owner = Json.string(entry, "Peer");
            if (owner == null) {
                continue;
            }
            long size = entry.get("Size") instanceof Number n ? n.longValue() : 0L;
            boolean known = entry.get("IsKnownPeer") instanceof Boolean b ? b : report.nicknames.containsKey(owner);
            String nickname = Json.string(entry, "Nickname");
            Holder before = report.holders.get(owner);
            report.holders.put(owner, new Holder(owner, nickname != null ? nickname
                    : before != null ? before.nickname() : report.nicknames.get(owner),
                    size + (before == null ? 0 : before.addresses()), known));
        }
        return report;
    }

    /** This router's own peer name. */
    public String ownName() {
        return ownName;
    }

    /** Peers that own address space but are gone from the topology ("unreachable!" in status ipam). */
    public List<Holder> deadHolders() {
        return holders.values().stream().filter(h -> !h.known() && h.addresses() > 0).toList();
    }
}
