package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.config.AgentConfig;
import com.nholuongut.ecs.config.ConfigKey;
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
 * peer, {@code launch} fails while the tool runs. A call that fails is retried at the next peer list.
 */
final class Reconciler {

    private final AgentConfig config;
    private final Tools tools;
    /** Called once, when Net is first launched or found running: readiness for systemd. */
    private final Runnable ready;

    private boolean netUp;
    /** What Net was last told; null when unknown (Net found running after a restart). */
    private List<String> netPeers;
    private final Set<String> pendingForget = new LinkedHashSet<>();
    private boolean scopeUp;
    /** What Scope was last launched with; null when unknown. */
    private List<String> scopePeers;

    Reconciler(AgentConfig config, Tools tools, Runnable ready) {
        this.config = config;
        this.tools = tools;
        this.ready = ready;
    }

    boolean netUp() {
        return netUp;
    }

    /** {@code nholuongut status}: when Net already runs (an agent restart), adopts it and reports ready. */
    boolean adoptRunningNet() {
        if (netUp) {
            return true;
        }
        if (!tools.netRunning()) {
            return false;
        }
        up(null);
        return true;
    }

    /** {@code nholuongut launch --ipalloc-init consensus=N ... PEER...}; true when Net is up. */
    boolean launchNet(List<String> peers, int members) {
        if (tools.launchNet(peers, members)) {
            up(peers);
        }
        return netUp;
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

    /** Scope's line for these peers: launched when it is not up, relaunched when its peers changed. */
    void applyScope(List<String> peers) {
        // Cloud mode's line has no peers: only a failed launch is retried.
        if (config.get(ConfigKey.SCOPE_ENABLED) && (!scopeUp || !config.scopeCloudMode() && !peers.equals(scopePeers))) {
            relaunchScope(peers);
        }
    }

    /** A running Scope of an earlier agent is left as it is until there are peers to tell it. */
    void adoptRunningScope() {
        scopeUp = true;
    }

    /** {@code scope stop}, then {@code scope launch}: the real script refuses to launch while Scope runs. */
    void relaunchScope(List<String> peers) {
        if (!config.get(ConfigKey.SCOPE_ENABLED)) {
            return;
        }
        tools.stopScope();
        scopeUp = tools.launchScope(peers);
        scopePeers = scopeUp ? peers : null;
    }

    private void up(List<String> told) {
        netUp = true;
        netPeers = told;
        ready.run();
    }

    /** The elements of {@code a} not in {@code b}, in order; linear, as groups reach thousands. */
    static List<String> minus(List<String> a, Collection<String> b) {
        Set<String> exclude = new HashSet<>(b);
        return a.stream().filter(x -> !exclude.contains(x)).toList();
    }
}
