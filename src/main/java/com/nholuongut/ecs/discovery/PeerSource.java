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
     * Of these former members (instance ids), the ones AWS shows as gone for good: terminated or shutting
     * down, or out of the group. Never a member that is merely stopped or unreachable.
     */
    default java.util.Set<String> departed(java.util.Collection<String> instanceIds) {
        return java.util.Set.of();
    }

    @Override
    default void close() {
    }
}
