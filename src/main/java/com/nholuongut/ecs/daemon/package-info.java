/**
 * The daemon of {@code run}: a loop of {@link Daemon#step() steps} (one discovery, then the tool calls its
 * {@link Outcome} asks for, in {@link Transitions}) and {@link Schedule} waits, on an injected clock and
 * {@link Sleeper}.
 *
 * <p>Its states ({@link DaemonState.Phase}) and what moves between them:
 * <pre>
 *   BOOTING ──found──────────────────────────────→ UP (Net launched with the group, or a running one told it)
 *   BOOTING ──failed, saved peers─────────────────→ UP (launched with the saved peers: a reboot)
 *   BOOTING ──failed, no saved peers, Net runs────→ ADOPTED (left as it is: an agent restart in an outage)
 *   BOOTING ──failed, no saved peers──────────────→ WAITING_FOR_GROUP (never a lone Net)
 *   WAITING_FOR_GROUP, ADOPTED ──found────────────→ UP          ──failed──→ the same state, nothing run
 *   UP ──found──→ UP (connect --replace, forget, Scope relaunch when its line changed, the reclaim)
 *   UP ──failed─→ UP (a tool call that failed is retried with the last good peers)
 *   any step whose Net launch fails ──────────────→ NET_DOWN; NET_DOWN ──any outcome──→ the launch again
 *   before BOOTING, target state Warmed:* ────────→ WARMED (nothing run, nothing asked) ──InService──→ BOOTING
 *   stop (SIGTERM) ───────────────────────────────→ STOPPED (Net and Scope left running; {@link Leaving}
 *                                                   resets Net first when the instance leaves for good)
 * </pre>
 * A failure that retrying cannot cure (configuration) ends the loop; every other is retried with backoff,
 * logged once per streak at the level the error carries. Exit codes are chosen by the command, not here.
 */
package com.nholuongut.ecs.daemon;
