package com.nholuongut.ecs.launch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;

/**
 * What {@code nholuongut report} says about the router's peers and who owns which part of the IP range:
 * {@code Router.Name}, {@code Router.Peers[].{Name,NickName,Connections[].Address}} and
 * {@code IPAM.Entries[].{Peer,Nickname,Size,IsKnownPeer}}.
 */
public final class RouterReport {

    /** A peer that owns part of the IP range. */
    public record Holder(String name, String nickname, long addresses, boolean known) {
    }

    private final String ownName;
    private final Map<String, String> nicknames = new LinkedHashMap<>();
    private final Map<String, List<String>> addressesSeen = new LinkedHashMap<>();
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
            for (JsonNode c : array(peer, "Connections")) {
                // A connection's Address is where the other end was reached: the remote peer's address.
                String remote = text(c, "Name");
                String address = host(text(c, "Address"));
                if (remote != null && address != null) {
                    report.addressesSeen.computeIfAbsent(remote, k -> new ArrayList<>()).add(address);
                }
            }
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

    /**
     * The router name of a departed instance: by nickname (its host name, the first label of its private
     * DNS name, or the whole name), else by the address other peers reached it at. Peers that still hold
     * no address space and are not in the topology are not returned (nothing to reclaim); our own name never.
     */
    public Optional<String> find(String dnsName, String address) {
        List<String> byNickname = new ArrayList<>();
        if (dnsName != null && !dnsName.isEmpty()) {
            String full = dnsName.toLowerCase(Locale.ROOT);
            String label = full.contains(".") ? full.substring(0, full.indexOf('.')) : full;
            for (String name : allNames()) {
                String nick = nickname(name);
                if (nick != null && (nick.equalsIgnoreCase(label) || nick.equalsIgnoreCase(full))) {
                    byNickname.add(name);
                }
            }
        }
        List<String> matched = byNickname.isEmpty() && address != null
                ? allNames().stream().filter(n -> addressesSeen.getOrDefault(n, List.of()).contains(address)).toList()
                : byNickname;
        List<String> candidates = matched.stream().filter(n -> !n.equals(ownName)).toList();
        // Host names come back with reused addresses: prefer a holder the router no longer knows.
        return candidates.stream().filter(n -> holders.containsKey(n) && !holders.get(n).known()).findFirst()
                .or(() -> candidates.stream().findFirst());
    }

    /** How many addresses {@code name} owns. */
    public long addressesHeldBy(String name) {
        Holder h = holders.get(name);
        return h == null ? 0 : h.addresses();
    }

    /** Whether {@code name} is still a live peer in the topology. */
    public boolean knows(String name) {
        Holder h = holders.get(name);
        return h != null ? h.known() : nicknames.containsKey(name);
    }

    /** Peers that own address space but are gone from the topology ("unreachable!" in status ipam). */
    public List<Holder> deadHolders() {
        return holders.values().stream().filter(h -> !h.known() && h.addresses() > 0).toList();
    }

    private List<String> allNames() {
        List<String> names = new ArrayList<>(nicknames.keySet());
        holders.keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
        return names;
    }

    private String nickname(String name) {
        String nick = nicknames.get(name);
        if (nick == null && holders.containsKey(name)) {
            nick = holders.get(name).nickname();
        }
        return nick;
    }

    private static String host(String hostPort) {
        if (hostPort == null) {
            return null;
        }
        int colon = hostPort.lastIndexOf(':');
        String host = colon > 0 && hostPort.indexOf(':') == colon ? hostPort.substring(0, colon) : hostPort;
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
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
