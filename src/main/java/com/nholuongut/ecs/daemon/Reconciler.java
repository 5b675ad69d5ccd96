package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
import com.nholuongut.ecs.discovery.ScopeApps;
import com.nholuongut.ecs.launch.Tools;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What Net and Scope were told, and the tool calls that bring them to a peer list (SPEC, "Launching and
 * refreshing"), within the real command lines' rules: {@code connect --replace} and {@code forget} need a
 * peer, {@code launch} fails while the tool runs (so every Scope launch follows a {@code scope stop}, which
 * stops nothing when Scope does not run). A call that fails is retried at the next refresh: with the new peer
 * list, or with the last good one while AWS is away.
 */
final class Reconciler {

    private final AgentConfig config;
    private final Tools tools;
    /** Called once, when Net is first launched or found running: readiness for systemd. */
    private final Runnable ready;

    /** What Net was last told; null when unknown (Net found running after a restart). */
    private List<String> netPeers;
    private final Set<String> pendingForget = new LinkedHashSet<>();
    private boolean scopeUp;
    /**
     * The line Scope was last launched with, or the line of the launch that failed (retried while AWS is away);
     * null when unknown.
     */
    private List<String> scopeLine;

    Reconciler(AgentConfig config, Tools tools, Runnable ready) {
        this.config = config;
        this.tools = tools;
        this.ready = ready;
    }

    /** {@code nholuongut status}: whether Net runs (after an agent restart, or a launch reported as failed). */
    boolean netRunning() {
        return tools.netRunning();
    }

    /** Net was found running: what it was told is unknown, so the next peer list replaces it. Reports ready. */
    void adopt() {
        netPeers = null;
        ready.run();
    }

    /** {@code nholuongut launch --ipalloc-init consensus=N ... PEER...}; true when Net is up (then ready). */
    boolean launchNet(List<String> peers, int members) {
        if (!tools.launchNet(peers, members)) {
            return false;
        }
        netPeers = peers;
        ready.run();
        return true;
    }

    /** The saved peers a running Net was told before this agent started: those gone since are forgotten. */
    void forgetLater(Collection<String> addresses) {
        pendingForget.addAll(addresses);
    }

    /**
     * {@code connect --replace} when the set changed, then {@code forget} for those that left. When the group
     * shrinks to this instance alone, forgetting the departed is what empties the router's targets.
     */
    void applyNet(List<String> peers) {
        if (!peers.equals(netPeers)) {
            if (!peers.isEmpty() && !tools.connectReplace(peers)) {
                return;
            }
            if (netPeers != null) {
                pendingForget.addAll(minus(netPeers, peers));
            }
            netPeers = peers;
        }
        pendingForget.removeAll(peers);
        if (!pendingForget.isEmpty() && tools.forget(new ArrayList<>(pendingForget))) {
            pendingForget.clear();
        }
    }

    /**
     * Scope launched when it is not up, relaunched ({@code scope stop}, {@code scope launch}) only when this
     * member's own line changed: its peers under {@code all}, the app set, becoming or ceasing to be an app
     * member. An unchanged line runs no Scope command.
     */
    void applyScope(ScopeApps apps, String selfAddress) {
        if (!config.get(ConfigKey.SCOPE_ENABLED)) {
            return;
        }
        List<String> line = tools.scopeLine(apps, selfAddress);
        if (!scopeUp || !line.equals(scopeLine)) {
            launchScope(line);
        }
    }

    /**
     * A Scope launch that failed, run again with the same line: a refresh that cannot reach AWS has no new
     * line to draw, and the tool's failure (Docker busy, an image pull) is no reason to wait for AWS.
     */
    void retryScope() {
        if (!scopeUp && scopeLine != null && config.get(ConfigKey.SCOPE_ENABLED)) {
            launchScope(scopeLine);
        }
    }

    private void launchScope(List<String> line) {
        tools.stopScope();
        scopeUp = tools.launchScope(line);
        scopeLine = line;
    }

    /** A running Scope of an earlier agent is left as it is until there are peers to tell it. */
    void adoptRunningScope() {
        scopeUp = true;
    }

    /** The elements of {@code a} not in {@code b}, in order; linear, as groups reach thousands. */
    static List<String> minus(List<String> a, Collection<String> b) {
        Set<String> exclude = new HashSet<>(b);
        return a.stream().filter(x -> !exclude.contains(x)).toList();
    }
}
