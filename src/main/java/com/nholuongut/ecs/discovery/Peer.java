package com.nholuongut.ecs.discovery;

import java.util.Objects;

/**
 * One member of the peer group as AWS reported it.
 *
 * @param instanceId its instance id; null for static peers
 * @param address    its private IPv4 address (an IP literal)
 * @param state      {@code pending} or {@code running}; null for static peers
 * @param dnsName    its private DNS name (e.g. {@code ip-10-0-1-5.ec2.internal}), whose first label is the
 *                   host name Net uses as the peer's nickname; null when unknown
 */
public record Peer(String instanceId, String address, String state, String dnsName) {

    public Peer {
        Objects.requireNonNull(address, "address");
    }

    public Peer(String instanceId, String address, String state) {
        this(instanceId, address, state, null);
    }

    /** A peer from the static {@code PEERS} list. */
    public static Peer ofStatic(String address) {
        return new Peer(null, address, null, null);
    }
}
