package com.nholuongut.ecs.discovery;

import java.util.Objects;

/**
 * One member of the peer group as AWS reported it.
 *
 * @param instanceId its instance id; null for static peers
 * @param address    its private IPv4 address (an IP literal)
 * @param state      its EC2 state: {@code pending} or {@code running} for a member ({@link #isLive}),
 *                   {@code stopping} or {@code stopped} for an instance of the group that is not; null
 *                   for static peers
 * @param dnsName    its private DNS name (e.g. {@code ip-10-0-1-5.ec2.internal}), whose first label is the
 *                   host name Net uses as the peer's nickname; null when unknown
 * @param autoScalingGroup the Auto Scaling group that launched it (its {@code aws:autoscaling:groupName} tag),
 *                   whose warm pool it may sit in; null when none or unknown
 */
public record Peer(String instanceId, String address, String state, String dnsName, String autoScalingGroup) {

    public Peer {
        Objects.requireNonNull(address, "address");
    }

    public Peer(String instanceId, String address, String state) {
        this(instanceId, address, state, null, null);
    }

    public Peer(String instanceId, String address, String state, String dnsName) {
        this(instanceId, address, state, dnsName, null);
    }

    /** Whether an instance in this EC2 state is a member: pending (booting alongside us) or running. */
    public static boolean isLive(String state) {
        return "pending".equals(state) || "running".equals(state);
    }

    /** A peer from the static {@code PEERS} list. */
    public static Peer ofStatic(String address) {
        return new Peer(null, address, null, null, null);
    }
}
