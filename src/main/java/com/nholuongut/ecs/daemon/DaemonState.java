package com.nholuongut.ecs.daemon;

import java.util.List;
import java.util.Objects;

/**
 * Where the daemon is in its life, with the peers it last knew (discovered, or saved before a reboot) and the
 * group's size then. What moves it is in the package's documentation.
 *
 * @param phase   the named state
 * @param peers   the last peers known; empty when none is (never a guess)
 * @param members the group's size with this instance, as last known (Net's consensus at a launch)
 */
public record DaemonState(Phase phase, List<String> peers, int members) {

    /** The named states. */
    public enum Phase {
        /** Before the first discovery. */
        BOOTING,
        /**
         * In the Auto Scaling warm pool (target state {@code Warmed:*}): nothing launched, nothing asked of
         * AWS, ready at once; a warmed router would own address space and then be stopped.
         */
        WARMED,
        /** No peers known and Net not running: nothing is launched, since a lone Net forms a ring of its own. */
        WAITING_FOR_GROUP,
        /** Net found running (an agent restart) while no peers are known: it is left as it is. */
        ADOPTED,
        /** Peers known but Net not up: its launch failed, and is tried again at the next step. */
        NET_DOWN,
        /** Net up and told {@code peers}. */
        UP,
        /** Stopped on request (SIGTERM); Net and Scope are left running. */
        STOPPED
    }

    public DaemonState {
        Objects.requireNonNull(phase, "phase");
        peers = List.copyOf(peers);
    }

    /** The state before the first discovery. */
    static DaemonState booting() {
        return new DaemonState(Phase.BOOTING, List.of(), 1);
    }

    /** Whether Net runs as far as the daemon knows (launched by it, or found running). */
    public boolean netUp() {
        return phase == Phase.UP || phase == Phase.ADOPTED;
    }

    DaemonState to(Phase next) {
        return new DaemonState(next, peers, members);
    }
}
