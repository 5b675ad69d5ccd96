package com.nholuongut.ecs.daemon;

import com.nholuongut.ecs.launch.ProcessRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Net, Scope and systemd-notify as their real command lines behave (the rules fake-tool.py enforces for the
 * process-level tests, read in the upstream scripts), on a modelled state: the router's targets, its
 * consensus and password, Scope's arguments. Every call is recorded with the tool's name first.
 */
final class ToolModel implements ProcessRunner {

    boolean netRunning;
    boolean scopeRunning;
    final LinkedHashSet<String> targets = new LinkedHashSet<>();
    /** Every call, tool name first ({@code nholuongut}, {@code scope}, {@code systemd-notify}). */
    final List<List<String>> calls = new ArrayList<>();
    /** The environment each call was given, in the order of {@link #calls}. */
    final List<Map<String, String>> envs = new ArrayList<>();
    int launches;
    String consensus;
    /** The password Net got (from {@code nholuongut_PASSWORD}); null when none. */
    String password;
    /** How many {@code launch}, {@code connect} and {@code scope launch} calls fail next. */
    int failLaunches;
    int failConnects;
    int failScopeLaunches;
    /** The arguments Scope runs with; null when it does not run. */
    List<String> scopeArgs;
    /** Runs while a {@code scope launch} does, as a SIGTERM at the end of a boot. */
    Runnable duringScopeLaunch = () -> { };
    /** Runs while a {@code status} does, as the readiness deadline's thread asking why Net is not up. */
    Runnable duringStatus = () -> { };
    /** Runs while a {@code connect} does, as a SIGTERM that arrives during a slow tool call. */
    Runnable duringConnect = () -> { };
    /** When set, a {@code launch} opens {@link #launchStarted} and waits for it (a first image pull). */
    CountDownLatch launchRelease;
    final CountDownLatch launchStarted = new CountDownLatch(1);
    /** What {@code report} prints while Net runs (the real script fails when it does not). */
    String report = "{\"Router\": {\"Name\": \"aa:aa:aa:aa:aa:01\", \"Peers\": []}, \"IPAM\": {\"Entries\": []}}";

    /** The calls of one tool and subcommand, e.g. {@code ("nholuongut", "connect")}. */
    synchronized List<List<String>> calls(String tool, String sub) {
        return calls.stream().filter(c -> c.get(0).equals(tool) && c.size() > 1 && c.get(1).equals(sub)).toList();
    }

    synchronized int size() {
        return calls.size();
    }

    /** The calls made since {@code from} calls had been made. */
    synchronized List<List<String>> since(int from) {
        return List.copyOf(calls.subList(from, calls.size()));
    }

    @Override
    public Result run(List<String> argv, Map<String, String> env, Duration timeout) {
        String tool = Path.of(argv.get(0)).getFileName().toString();
        List<String> args = argv.subList(1, argv.size());
        synchronized (this) {
            List<String> call = new ArrayList<>(List.of(tool));
            call.addAll(args);
            calls.add(call);
            envs.add(Map.copyOf(env));
        }
        String sub = args.isEmpty() ? "" : args.get(0);
        List<String> rest = args.subList(Math.min(1, args.size()), args.size());
        return switch (tool) {
            case "scope" -> scope(sub, rest);
            case "systemd-notify" -> ok();
            default -> net(sub, rest, env);
        };
    }

    private Result scope(String sub, List<String> rest) {
        if (sub.equals("launch")) {
            duringScopeLaunch.run();
            if (scopeRunning) {
                return fail(1, "nholuongutscope is already running.");
            }
            if (failScopeLaunches > 0) {
                failScopeLaunches--;
                return fail(1, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock.");
            }
            scopeRunning = true;
            scopeArgs = List.copyOf(rest);
        } else if (sub.equals("stop")) {
            if (!rest.isEmpty()) {
                return fail(1, "usage");
            }
            scopeRunning = false;
            scopeArgs = null;
        }
        return ok();
    }

    private Result net(String sub, List<String> rest, Map<String, String> env) {
        switch (sub) {
            case "status":
                duringStatus.run();
                return netRunning ? ok() : fail(1, "nholuongut container is not present. Have you launched it?");
            case "launch":
                return launch(rest, env);
            case "connect":
                duringConnect.run();
                if (rest.isEmpty()) {
                    return fail(1, "usage");
                }
                boolean replace = rest.get(0).equals("--replace");
                List<String> peers = replace ? rest.subList(1, rest.size()) : rest;
                if (peers.isEmpty()) {
                    return fail(2, "curl: (2) no URL specified");
                }
                if (failConnects > 0) {
                    failConnects--;
                    return fail(1, "curl: (7) Failed to connect to 127.0.0.1 port 6784: Connection refused");
                }
                if (!netRunning) {
                    return fail(1, "nholuongut container is not present. Have you launched it?");
                }
                if (replace) {
                    targets.clear();
                }
                targets.addAll(peers);
                return ok();
            case "forget":
                if (rest.isEmpty()) {
                    return fail(1, "usage");
                }
                rest.forEach(targets::remove);
                return ok();
            case "report":
                return netRunning ? new Result(0, report, "", Duration.ZERO)
                        : fail(1, "nholuongut container is not present. Have you launched it?");
            case "rmpeer":
                // Net's rmpeer always exits 0 while it runs ("N IPs taken over from NAME"), a live peer included.
                return rest.isEmpty() ? fail(1, "usage") : netRunning
                        ? new Result(0, "0 IPs taken over from " + rest.get(0) + "\n", "", Duration.ZERO)
                        : fail(1, "nholuongut container is not present. Have you launched it?");
            case "reset":
                // DELETE /peer hands this router's space to a survivor; then Net is stopped and its state removed.
                if (!rest.isEmpty() && !rest.equals(List.of("--force"))) {
                    return fail(1, "usage");
                }
                netRunning = false;
                targets.clear();
                return ok();
            default:
                return fail(1, "usage");
        }
    }

    private Result launch(List<String> rest, Map<String, String> env) {
        if (netRunning) {
            return fail(3, "nholuongut is already running; you can stop it with 'nholuongut stop'.");
        }
        if (launchRelease != null) {
            launchStarted.countDown();
            try {
                launchRelease.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (failLaunches > 0) {
            failLaunches--;
            return fail(1, "docker: Error response from daemon: pull access denied");
        }
        netRunning = true;
        launches++;
        targets.clear();
        consensus = null;
        for (int i = 0; i < rest.size(); i++) {
            String w = rest.get(i);
            if (w.equals("--ipalloc-init") && i + 1 < rest.size()) {
                consensus = rest.get(++i);
            } else if (w.equals("--label") || w.equals("--hostname-from-label")) {
                i++;
            } else if (!w.startsWith("-")) {
                targets.add(w);
            }
        }
        password = env.get("nholuongut_PASSWORD");
        return ok();
    }

    static Result ok() {
        return new Result(0, "", "", Duration.ZERO);
    }

    static Result fail(int code, String stderr) {
        return new Result(code, "", stderr, Duration.ZERO);
    }
}
