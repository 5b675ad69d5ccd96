package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.AgentException;
import com.nholuongut.ecs.ExitCodes;
import com.nholuongut.ecs.UnavailableException;
import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.config.Durations;
import com.nholuongut.ecs.discovery.Discovery;
import com.nholuongut.ecs.discovery.PeerSource;
import com.nholuongut.ecs.state.PeerState;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One discovery for the loop: opens the peer source on first use, saves a good result, and keeps the failure
 * streak (how many, throttled or not), logging one line per streak. Configuration errors are thrown.
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
    private boolean waitLogged;
    private String lastFailure;

    Discoverer(AgentConfig config, Supplier<PeerSource> opener, PeerState state, Schedule schedule) {
        this.config = config;
        this.opener = opener;
        this.state = state;
        this.schedule = schedule;
    }

    /**
     * One discovery, saved when good; null after a failure that retrying may cure.
     *
     * @param havePeers whether the agent has peers to keep (for the wording of the failure's WARN)
     */
    Discovery discover(boolean havePeers) {
        try {
            if (source == null) {
                source = opener.get();
            }
            Discovery d = source.discover();
            if (failures > 0) {
                log.info("discovery works again after {} failed attempt(s)", failures);
            }
            failures = 0;
            throttled = false;
            waitLogged = false;
            groupSize(d.members());
            state.save(d);
            return d;
        } catch (RuntimeException e) {
            failed(e, havePeers);
            return null;
        }
    }

    /** The source discoveries go through (the reclaimer asks it about hosts); null before the first. */
    PeerSource source() {
        return source;
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

    /** True once per failure streak: for the "not launching until AWS answers" WARN. */
    boolean firstWait() {
        boolean first = !waitLogged;
        waitLogged = true;
        return first;
    }

    /** The last failure's message, for the readiness WARN. */
    String lastFailure() {
        return lastFailure;
    }

    private void failed(RuntimeException e, boolean havePeers) {
        int code = e instanceof AgentException a ? a.exitCode() : ExitCodes.INTERNAL;
        if (code == ExitCodes.CONFIG || code == ExitCodes.USAGE) {
            throw e;
        }
        log.debug("discovery failure", e);
        failures++;
        throttled = e instanceof UnavailableException u && u.throttled();
        lastFailure = e instanceof AgentException ? e.getMessage()
                : "unexpected " + AgentException.oneLine(String.valueOf(e));
        if (failures > 1) {
            log.debug("discovery failed again ({}): {}", failures, e.getMessage());
        } else if (code == ExitCodes.NO_PEER_GROUP || code == ExitCodes.AWS_DENIED) {
            // "No group" (3) and "denied" (4) are answers, retried too: a tag or a policy can be fixed.
            log.error("discovery failed, retrying with backoff: {}", lastFailure);
        } else {
            log.warn("discovery failed, {}retrying with backoff{}: {}", havePeers ? "keeping the last good peers and "
                    : "", throttled ? " (throttled: backing off beyond the refresh interval)" : "", lastFailure);
        }
    }

    @Override
    public void close() {
        if (source != null) {
            source.close();
        }
    }
}
