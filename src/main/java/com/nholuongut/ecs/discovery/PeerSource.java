package com.nholuongut.ecs.discovery;

/** One-method seam: where the current peers come from (AWS, or the static list). */
public interface PeerSource extends AutoCloseable {

    /**
     * Discovers the current peers.
     *
     * @throws com.nholuongut.ecs.AgentException typed by exit code when discovery cannot complete
     */
    Discovery discover();

    @Override
    default void close() {
    }
}
