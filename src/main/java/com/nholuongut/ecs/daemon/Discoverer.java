package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.InternalException;
import com.nholuongut.ecs.UnavailableException;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.config.Durations;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.state.PeerState;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One discovery for the loop: opens the peer source on first use (and owns it), saves a good result, and keeps
 * the failure streak (how many, throttled or not), logging one line per streak at the level the error carries.
 */
final class Discoverer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Discoverer.class);

    private final AgentConfig config;
    private final Supplier<PeerSource> opener;
    private final PeerState state;
    private final Schedule schedule;
    private PeerSource source;
    private int members = 1;
    private int failures;
    private boolean throttled;
    private String lastFailure;

    Discoverer(AgentConfig config, Supplier<PeerSource> opener, PeerState state, Schedule schedule) {
        this.config = config;
        this.opener = opener;
        this.state = state;
        this.schedule = schedule;
    }

    /**
     * One discovery, saved when good.
     *
     * @param havePeers whether the daemon has peers to keep (for the wording of the failure's WARN)
     */
    Outcome discover(boolean havePeers) {
        try {
            if (source == null) {
                source = opener.get();
            }
            Outcome.Found found = new Outcome.Found(source.discover());
            if (failures > 0) {
                log.info("discovery works again after {} failed attempt(s)", failures);
            }
            failures = 0;
            throttled = false;
            groupSize(found.discovery().members());
            state.save(found.discovery());
            return found;
        } catch (AgentException e) {
            return failed(e, havePeers);
        } catch (RuntimeException e) {
            return failed(new InternalException(e), havePeers);
        }
    }

    /** The source discoveries go through (the reclaimer asks it about hosts); null before the first. */
    PeerSource source() {
        return source;
    }

    /** This instance's state as EC2 describes it, when a peer source was opened (see {@link PeerSource#selfState}). */
    Optional<String> selfState() {
        try {
            return source == null ? Optional.empty() : source.selfState();
        } catch (RuntimeException e) {
            log.debug("cannot read this instance's state from EC2", e);
            return Optional.empty();
        }
    }

    /** The group's size as last known (discovered, or saved). */
    int members() {
        return members;
    }

    /** Takes the group size from the saved state when AWS cannot tell. */
    void groupSize(int size) {
        if (size == members) {
            return;
        }
        Duration before = schedule.effectiveInterval(members);
        members = size;
        Duration now = schedule.effectiveInterval(members);
        if (!now.equals(before)) {
            log.info("{} member(s): refreshing every {} to keep the group within API_BUDGET={}/s", members,
                    Durations.format(now), config.get(ConfigKey.API_BUDGET));
        }
    }

    int failures() {
        return failures;
    }

    boolean throttled() {
        return throttled;
    }

    /** The last failure's message, for the readiness WARN. */
    String lastFailure() {
        return lastFailure;
    }

    private Outcome failed(AgentException e, boolean havePeers) {
        log.debug("discovery failure", e);
        if (!e.retryable()) {
            return new Outcome.Failed(e);
        }
        failures++;
        throttled = e instanceof UnavailableException u && u.throttled();
        lastFailure = e.getMessage();
        if (failures > 1) {
            log.debug("discovery failed again ({}): {}", failures, lastFailure);
        } else if (e.severity() == Level.ERROR) {
            // An answer (no group, denied) is retried too: a tag or a policy can be fixed meanwhile.
            log.error("discovery failed, retrying with backoff: {}", lastFailure);
        } else {
            log.atLevel(e.severity()).log("discovery failed, {}retrying with backoff{}: {}",
                    havePeers ? "keeping the last good peers and " : "",
                    throttled ? " (throttled: backing off beyond the refresh interval)" : "", lastFailure);
        }
        return new Outcome.Failed(e);
    }

    @Override
    public void close() {
        if (source != null) {
            source.close();
        }
    }
}
