package com.nholuongut.ecs.launch;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

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
    public static RouterReport parse(String json) {
        JsonNode root;
        try {
            root = JsonNode.parser().parse(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || root.field("Router").isEmpty()) {
            throw new IllegalArgumentException("no Router in the report");
        }
        JsonNode router = root.field("Router").get();
        RouterReport report = new RouterReport(text(router, "Name"));
        for (JsonNode peer : array(router, "Peers")) {
            String name = text(peer, "Name");
            if (name == null) {
                continue;
            }
            report.nicknames.put(name, text(peer, "NickName"));
        }
        JsonNode ipam = root.field("IPAM").orElse(null);
        if (ipam != null && ipam.isObject()) {
            for (JsonNode entry : array(ipam, "Entries")) {
                String owner = text(entry, "Peer");
                if (owner == null) {
                    continue;
                }
                long size = entry.field("Size").filter(JsonNode::isNumber).map(n -> Long.parseLong(n.asNumber()))
                        .orElse(0L);
                boolean known = entry.field("IsKnownPeer").filter(JsonNode::isBoolean).map(JsonNode::asBoolean)
                        .orElse(report.nicknames.containsKey(owner));
                String nickname = text(entry, "Nickname");
                Holder before = report.holders.get(owner);
                report.holders.put(owner, new Holder(owner, nickname != null ? nickname
                        : before != null ? before.nickname() : report.nicknames.get(owner),
                        size + (before == null ? 0 : before.addresses()), known));
            }
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

    private static String text(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return null;
        }
        return node.field(field).filter(JsonNode::isString).map(JsonNode::asString).orElse(null);
    }

    private static List<JsonNode> array(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return List.of();
        }
        return node.field(field).filter(JsonNode::isArray).map(JsonNode::asArray).orElse(List.of());
    }
}
