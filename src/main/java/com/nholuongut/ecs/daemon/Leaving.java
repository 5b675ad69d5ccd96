package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.aws.Lifecycle;
import com.nholuongut.ecs.daemon.DaemonState.Phase;
import com.nholuongut.ecs.launch.Tools;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leaving for good (SPEC, "Leaving for good"): at SIGTERM, whether this instance is going for good, asked at once
 * beside the loop (a refresh in progress must not use the stop's grace up first); then, once the loop has ended,
 * {@code nholuongut reset} when it is and others remain, so Net hands its address space to the survivors before
 * the instance goes. Never on a reboot, a stop, an agent restart or an upgrade: Net keeps its space then.
 */
final class Leaving {

    /** The decision: two metadata reads and one EC2 call bounded to 2 s. */
    static final Duration DECISION = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(Leaving.class);

    private final Lifecycle lifecycle;
    private final Discoverer discoverer;
    private final Tools tools;
    /** Why this instance leaves for good (empty: it does not), decided when the stop was asked. */
    private final CompletableFuture<Optional<String>> decision = new CompletableFuture<>();
    /** Set once the decision found a reset to run: the command then waits for it past its usual grace. */
    private volatile boolean resetting;

    Leaving(Lifecycle lifecycle, Discoverer discoverer, Tools tools) {
        this.lifecycle = lifecycle;
        this.discoverer = discoverer;
        this.tools = tools;
    }

    /**
     * Decides, on a thread of its own, from the instance's facts alone: the step that runs meanwhile may still
     * change the daemon's state (a boot that launches Net), which {@link #leaveIfForGood} reads once it ended.
     */
    void decide() {
        try {
            Optional<String> why = why();
            resetting = why.isPresent();
            decision.complete(why);
        } catch (RuntimeException e) {
            log.debug("cannot tell whether this instance leaves for good", e);
            decision.complete(Optional.empty());
        }
    }

    /** Whether a reset may be run (the instance leaves for good): known moments after SIGTERM. */
    boolean resetting() {
        return resetting;
    }

    /** After the loop ended in {@code state}: runs the reset when the decision says so; true when it ran. */
    boolean leaveIfForGood(DaemonState state) throws InterruptedException {
        Optional<String> why;
        try {
            why = decision.get(DECISION.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            why = Optional.empty();
        }
        if (why.isEmpty() || !state.netUp()) {
            return false;
        }
        if (state.phase() == Phase.ADOPTED) {
            // Net runs but no discovery has told this agent its group: whether others remain is unknown, and the
            // survivors' reclaim takes the space back once AWS shows this host gone.
            log.info("{}: the group is not known yet, so nothing is handed over; nholuongut Net is left as it is",
                    why.get());
            return false;
        }
        if (state.peers().isEmpty()) {
            log.info("{}: the group's last member, nothing to hand over; nholuongut Net is left as it is", why.get());
            return false;
        }
        if (tools.reset()) {
            log.info("{}: nholuongut reset handed this router's address space to the surviving peers ({}) and stopped"
                    + " nholuongut Net", why.get(), state.peers().size());
        } else {
            log.warn("{}: nholuongut reset failed (see above): this router's address space is left for the survivors'"
                    + " reclaim", why.get());
        }
        return true;
    }

    /** Why this instance is leaving for good, if it is: its target state, a Spot notice, or EC2's view of it. */
    private Optional<String> why() {
        Optional<String> target;
        try {
            target = lifecycle.targetState().filter(Lifecycle.TERMINATING::contains);
        } catch (AgentException e) {
            log.debug("target lifecycle state at SIGTERM: {}", e.getMessage());
            target = Optional.empty(); // the Spot notice and EC2 may still tell
        }
        if (target.isPresent()) {
            return Optional.of("target lifecycle state " + target.get());
        }
        if (lifecycle.spotTerminating()) {
            return Optional.of("a Spot interruption notice to terminate");
        }
        return discoverer.selfState().filter(s -> s.equals("shutting-down") || s.equals("terminated"))
                .map(s -> "EC2 describes this instance as " + s);
    }
}
