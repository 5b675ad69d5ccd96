package com.nholuongut.ecs.discovery;

/** One-method seam: where the current peers come from (AWS, or the static list). */
public interface PeerSource extends AutoCloseable {

    /**
     * Discovers the current peers.
     *
     * @throws com.nholuongut.ecs.AgentException typed by exit code when discovery cannot complete
     */
    Discovery discover();

    /**
     * Of these host names (Net's nicknames: an instance's host name, or its whole private DNS name), the ones
     * that still belong to an instance that is pending, running, stopping or stopped: such a host has not
     * left, whatever its router looks like. Without AWS (static peers) every host counts as present.
     */
    default java.util.Set<String> presentHosts(java.util.Collection<String> hostNames) {
        return java.util.Set.copyOf(hostNames);
    }

    @Override
    default void close() {
    }
}
