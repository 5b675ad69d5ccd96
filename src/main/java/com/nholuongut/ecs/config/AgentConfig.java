package com.nholuongut.ecs.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The agent's validated configuration: every key of SPEC.md read once into a typed field.
 *
 * @param peerGroupTag    tag key naming the group
 * @param peerGroupName   group value to use instead of our own tag's, or null
 * @param staticPeers     static peers (IP literals); empty means discover
 * @param discovery       which group kinds discovery may use
 * @param refreshInterval re-discovery period before jitter
 * @param netLaunchArgs   extra words for {@code nholuongut launch} (never a password: that is taken out)
 * @param netPassword     Net's encryption password, or null; given to Net in its environment, never logged
 * @param netPasswordFrom where the password came from (a key and its origin, never the value), or null
 * @param scopeEnabled    whether Scope is started
 * @param serviceToken    Scope cloud token, or null for standalone mode; never logged
 * @param scopeLaunchArgs extra words for {@code scope launch}
 * @param netBin          path of the nholuongut tool
 * @param scopeBin        path of the scope tool
 * @param stateDir        where the last good peer list is kept
 * @param imdsV1Fallback  whether IMDSv1 may be used when the token request is refused
 * @param apiBudget       AWS calls per second the whole group may spend on discovery
 * @param reclaimDeparted whether departed peers' address space is taken back with {@code rmpeer}
 * @param readyTimeout    under systemd, how long readiness waits for Net before it is reported anyway
 * @param discoverTimeout how long {@code discover} (and each {@code doctor} check) waits for AWS in all
 */
public record AgentConfig(
        String peerGroupTag,
        String peerGroupName,
        List<String> staticPeers,
        DiscoveryMode discovery,
        Duration refreshInterval,
        List<String> netLaunchArgs,
        String netPassword,
        String netPasswordFrom,
        boolean scopeEnabled,
        String serviceToken,
        List<String> scopeLaunchArgs,
        Path netBin,
        Path scopeBin,
        Path stateDir,
        boolean imdsV1Fallback,
        double apiBudget,
        boolean reclaimDeparted,
        Duration readyTimeout,
        Duration discoverTimeout) {

    /** What replaces a secret (the Scope token, Net's password) wherever it would be shown. */
    public static final String MASK = "****";

    public AgentConfig {
        Objects.requireNonNull(peerGroupTag, "peerGroupTag");
        staticPeers = List.copyOf(staticPeers);
        Objects.requireNonNull(discovery, "discovery");
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        netLaunchArgs = List.copyOf(netLaunchArgs);
        scopeLaunchArgs = List.copyOf(scopeLaunchArgs);
        Objects.requireNonNull(netBin, "netBin");
        Objects.requireNonNull(scopeBin, "scopeBin");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(readyTimeout, "readyTimeout");
        Objects.requireNonNull(discoverTimeout, "discoverTimeout");
    }

    /** Which group kinds discovery may use. */
    public enum DiscoveryMode { AUTO, TAG, ASG }

    /** True when {@code PEERS} replaces discovery. */
    public boolean isStatic() {
        return !staticPeers.isEmpty();
    }

    /**
     * The text with every secret of this configuration replaced by {@link #MASK}: the one rule for every
     * log line, error and report that could carry one (a tool's argv or stderr, say).
     */
    public String mask(String text) {
        String masked = text;
        for (String secret : new String[] {serviceToken, netPassword}) {
            if (masked != null && secret != null && !secret.isEmpty()) {
                masked = masked.replace(secret, MASK);
            }
        }
        return masked;
    }

    /** True when Scope runs in cloud mode. */
    public boolean scopeCloudMode() {
        return serviceToken != null;
    }

    @Override
    public String toString() {
        return "AgentConfig[peerGroupTag=" + peerGroupTag + ", peerGroupName=" + peerGroupName
                + ", staticPeers=" + staticPeers + ", discovery=" + discovery
                + ", refreshInterval=" + Durations.format(refreshInterval) + ", netLaunchArgs=" + netLaunchArgs
                + ", netPassword=" + (netPassword == null ? null : MASK + " (" + netPasswordFrom + ")")
                + ", scopeEnabled=" + scopeEnabled + ", serviceToken=" + (serviceToken == null ? null : MASK)
                + ", scopeLaunchArgs=" + scopeLaunchArgs + ", netBin=" + netBin + ", scopeBin=" + scopeBin
                + ", stateDir=" + stateDir + ", imdsV1Fallback=" + imdsV1Fallback + ", apiBudget=" + apiBudget
                + ", reclaimDeparted=" + reclaimDeparted + ", readyTimeout=" + Durations.format(readyTimeout)
                + ", discoverTimeout=" + Durations.format(discoverTimeout) + "]";
    }
}
