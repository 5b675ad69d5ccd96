package com.nholuongut.ecs.discovery;

import com.nholuongut.ecs.AgentException;
import java.util.Collection;
import java.util.Optional;
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

    /**
     * Of the group's members, the instance ids that sit in its Auto Scaling warm pool (they do not run Net
     * until put in service); asked only for a fresh launch's consensus, never on a refresh. Empty without AWS
     * or when Auto Scaling cannot tell (denied: one WARN).
     */
    default Set<String> warmPoolMembers(Discovery discovery) {
        return Set.of();
    }

    /**
     * This instance's state as EC2 describes it ({@code running}, {@code shutting-down}, ...), asked once and
     * bounded to a few seconds, for the decision at SIGTERM; empty when unknown (static peers, no answer).
     */
    default Optional<String> selfState() {
        return Optional.empty();
    }

    @Override
    default void close() {
    }
}
