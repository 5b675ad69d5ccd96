package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.AgentException;
import java.util.Collection;
import java.util.Set;

/** The seam for where the current peers come from (AWS, or the static list), and whose hosts are still there. */
public interface PeerSource extends AutoCloseable {

    /**
     * Discovers the current peers.
     *
     * @throws AgentException typed by exit code when discovery cannot complete
     */
    Discovery discover();

    /**
     * Of these host names (Net's nicknames: an instance's host name, or its whole private DNS name), the ones
     * that still belong to an instance that is pending, running, stopping or stopped: such a host has not
     * left, whatever its router looks like. Without AWS (static peers) every host counts as present.
     */
    default Set<String> presentHosts(Collection<String> hostNames) {
        return Set.copyOf(hostNames);
    }

    @Override
    default void close() {
    }
}
