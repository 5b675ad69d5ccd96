#!/usr/bin/env bash
# Sourced by demo.sh (from the repository's root, after scripts/lib.sh): a few agents (`java -jar agent.jar
# run`) on this machine, each as one instance of a group would run it: its own loopback IMDSv2 fixture
# answering as that instance, its own config, state and run directories, and its own stand-in `nholuongut`
# and `scope` tools (src/test/resources/fake-tool.py, the tests' stand-in, which keeps the router's state as
# the real scripts' rules make it; the agents' routers share one modelled mesh, so `report` shows who left).
# The caller sets JAR, REGION and work, and exports AWS_ENDPOINT_URL (the agents' AWS) before start_agent.
# shellcheck disable=SC2154 # work is demo.sh's; server_pid and server_port are start_port_server's (lib.sh)

declare -A agent_pid=() agent_dir=() agent_ip=() agent_fixture=() agent_shown=()
agents=()          # instance ids, in start order
agent_routers=0    # routers named so far (their peer names are MAC-like, as Net's are)
readonly AGENT_FLAGS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx128m)
readonly AGENT_INTERVAL=3s

# start_agent INSTANCE_ID PRIVATE_IP: boots that instance's agent.
start_agent() {
    local id=$1 ip=$2 dir=$work/agents/$1 verbose=()
    [[ ${VERBOSE:-0} == 1 ]] && verbose=(--verbose) # DEBUG lines too: each refresh, each reclaim check
    mkdir -p "$dir/bin" "$dir/etc" "$dir/state" "$dir/run"
    cp src/test/resources/fake-tool.py "$dir/bin/nholuongut"
    cp src/test/resources/fake-tool.py "$dir/bin/scope"
    chmod +x "$dir/bin/nholuongut" "$dir/bin/scope"
    mkdir -p "$work/mesh"
    echo "$work/mesh" >"$dir/bin/mesh"
    agent_routers=$((agent_routers + 1))
    # Net names its router after a MAC address and nicknames it after the host (EC2's ip-10-0-1-5).
    printf 'aa:aa:aa:aa:aa:%02x %s\n' "$agent_routers" "ip-${ip//./-}" >"$dir/bin/router"
    # The instance's target lifecycle state is the file target-lifecycle-state (Auto Scaling's, once a step sets it).
    IMDS_TARGET_STATE_FILE="$dir/target-lifecycle-state" \
        start_port_server "$dir" imds "the IMDS fixture of $id" python3 scripts/imds-fixture.py "$id" "$REGION" "$ip" 0
    agent_fixture[$id]=$server_pid
    env -u NOTIFY_SOCKET -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS \
        AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$server_port" \
        NHOLUONGUT_CONFIG_DIR="$dir/etc" NHOLUONGUT_STATE_DIR="$dir/state" NHOLUONGUT_RUN_DIR="$dir/run" \
        NHOLUONGUT_NET_BIN="$dir/bin/nholuongut" NHOLUONGUT_SCOPE_BIN="$dir/bin/scope" \
        NHOLUONGUT_REFRESH_INTERVAL="$AGENT_INTERVAL" \
        java "${AGENT_FLAGS[@]}" -jar "$JAR" run "${verbose[@]}" >"$dir/agent.log" 2>&1 &
    agent_pid[$id]=$!
    agent_dir[$id]=$dir
    agent_ip[$id]=$ip
    agent_shown[$id]=0
    agents+=("$id")
}

# stop_agent INSTANCE_ID: SIGTERM, as systemd stops it (Net and Scope are left running).
stop_agent() {
    stop_pid "${agent_pid[$1]}"
    wait "${agent_pid[$1]}" 2>/dev/null || true
    agent_pid[$1]=''
}

# stop_agents: every agent and fixture still running (the demo's cleanup, also on Ctrl-C): all are sent
# SIGTERM at once, then waited for (KILL after 5 s), so the clean-up takes one agent's stop, not the sum.
stop_agents() {
    local id pids=()
    for id in "${agents[@]}"; do
        [[ -n ${agent_pid[$id]:-} ]] && pids+=("${agent_pid[$id]}")
        [[ -n ${agent_fixture[$id]:-} ]] && pids+=("${agent_fixture[$id]}")
    done
    ((${#pids[@]})) || return 0
    kill "${pids[@]}" 2>/dev/null || true
    for id in "${pids[@]}"; do
        stop_pid "$id"
    done
}

# router INSTANCE_ID FIELD: what that instance's modelled router holds: targets (sorted, one line), init
# (--ipalloc-init), scope (Scope's launch arguments).
router() {
    python3 - "${agent_dir[$1]}/bin/state.json" "$2" <<'PY'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        state = json.load(f)
except (OSError, ValueError):
    state = {}
net, probe = state.get("net", {}), state.get("scope", {})
key = lambda a: tuple(int(p) for p in a.split("."))
print({"targets": " ".join(sorted(net.get("targets", []), key=key)),
       "init": net.get("ipallocInit", "-"),
       "scope": " ".join(probe.get("args", [])) if probe.get("running") else "(not running)"}[sys.argv[2]])
PY
}

# mesh_of INSTANCE_ID...: true when every one of them has its router running with the others' addresses as its
# targets, exactly. One python run for them all, since the demo polls this.
mesh_of() {
    local id args=()
    for id in "$@"; do args+=("${agent_dir[$id]}/bin/state.json" "${agent_ip[$id]}"); done
    python3 -c 'import json, sys
members = list(zip(sys.argv[1::2], sys.argv[2::2]))
for state_file, own in members:
    try:
        with open(state_file, encoding="utf-8") as f:
            net = json.load(f).get("net", {})
    except (OSError, ValueError):
        sys.exit(1)
    targets = net.get("targets", [])
    if not net.get("running") or sorted(targets) != sorted(a for _, a in members if a != own):
        sys.exit(1)' "${args[@]}"
}

# ran INSTANCE_ID ARG...: whether that instance's stand-ins were called with exactly this argv (tool first).
ran() {
    local id=$1
    shift
    python3 -c 'import json, sys
want = sys.argv[2:]
sys.exit(0 if any(json.loads(l) == want for l in open(sys.argv[1], encoding="utf-8")) else 1)' \
        "${agent_dir[$id]}/bin/calls.jsonl" "$@" 2>/dev/null
}

# wait_for WHAT SECONDS COMMAND...: until COMMAND succeeds; otherwise the agents' logs and exit 1.
wait_for() {
    local what=$1 deadline=$(($(date +%s) + $2)) id
    shift 2
    until "$@"; do
        if (($(date +%s) >= deadline)); then
            for id in "${agents[@]}"; do
                echo "--- $id" >&2
                tail -n 20 "${agent_dir[$id]}/agent.log" >&2
            done
            die "timed out waiting for $what"
        fi
        sleep 0.5
    done
}

# show_logs: each agent's log lines written since the last call, prefixed with its instance id, with the
# demo's directories left out of the tools' paths.
show_logs() {
    local id log lines
    for id in "${agents[@]}"; do
        log=${agent_dir[$id]}/agent.log
        [[ -f $log ]] || continue
        lines=$(wc -l <"$log")
        if ((lines > agent_shown[$id])); then
            sed -n "$((agent_shown[$id] + 1)),${lines}p" "$log" | sed -e "s#${agent_dir[$id]}/bin/##g" -e "s#${agent_dir[$id]}/##g" -e "s#^#[$id] #"
        fi
        agent_shown[$id]=$lines
    done
}

# summary: one line per instance: its router's targets and Scope's launch line, or that it is gone.
summary() {
    local id
    printf '%-20s %-15s %s\n' INSTANCE ADDRESS 'ROUTER TARGETS | SCOPE LAUNCHED WITH'
    for id in "${agents[@]}"; do
        if [[ -n ${agent_pid[$id]} ]]; then
            printf '%-20s %-15s %s | %s\n' "$id" "${agent_ip[$id]}" "$(router "$id" targets)" "$(router "$id" scope)"
        else
            printf '%-20s %-15s %s\n' "$id" "${agent_ip[$id]}" "(terminated)"
        fi
    done
}
