package com.nholuongut.ecs.discovery;

import java.util.Objects;

/**
 * One member of the peer group as AWS reported it.
 *
 * @param instanceId its instance id; null for static peers
 * @param address    its private IPv4 address (an IP literal)
 * @param state      {@code pending} or {@code running}; null for static peers
 */
public record Peer(String instanceId, String address, String state) {

    public Peer {
        Objects.requireNonNull(address, "address");
    }

    /** A peer from the static {@code PEERS} list. */
    public static Peer ofStatic(String address) {
        return new Peer(null, address, null);
    }
}
