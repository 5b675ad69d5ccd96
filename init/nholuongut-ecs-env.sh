#!/usr/bin/env bash
# Decides how the ECS agent reaches Docker; installed as /usr/local/lib/nholuongut/ecs-env.sh and run by
# nholuongut-agent.service (ExecStartPost=) once the agent is ready, i.e. before ecs.service starts.
#
# If nholuongut Net's Docker API proxy answers, the ECS agent goes through it, so that ECS task containers
# join the nholuongut network (and are named in its DNS after their ECS container name):
#   RUN_DIR/proxy.env  NET_PROXY_SOCKET=<Net's proxy socket>  read by nholuongut-docker.service, which
#                      forwards the stable socket RUN_DIR/docker.sock (nholuongut-docker.socket) to it
#   RUN_DIR/ecs.env    DOCKER_HOST=unix://RUN_DIR/docker.sock  read by ecs.service (its drop-in)
# Otherwise ecs.env is removed and the ECS agent talks to Docker directly, as on the stock AMI; so too when
# the agent's ECS_VIA_NET_PROXY is false (it leaves RUN_DIR/ecs-direct then).
#
# Net's proxy address comes from Net itself (`nholuongut config` prints -H=unix:///path when the proxy
# runs, nothing otherwise). Usage: ecs-env.sh [NET_BIN [RUN_DIR]]; WAIT_SECONDS (20) bounds the wait for
# the proxy to answer; SYSTEMCTL (systemctl) is for tests. Exits 0 in every case but a usage error: the
# ECS agent must start either way.
set -euo pipefail

net_bin=${1:-/usr/local/bin/nholuongut}
run_dir=${2:-/run/nholuongut}
wait_seconds=${WAIT_SECONDS:-20}

say() {
    printf 'ecs-env: %s\n' "$*"
}

direct() {
    rm -f "$run_dir/ecs.env"
    say "$* ECS tasks will run outside the nholuongut network until the ECS agent is restarted" \
        "with Net up (systemctl restart ecs)"
    exit 0
}

# Prints the unix socket path of Net's Docker API proxy, from `nholuongut config` (-H=unix:///path,
# --host=..., or -H unix:///path); nothing if the proxy does not run or listens elsewhere.
proxy_socket() {
    local out word words expect_value=0
    out=$("$net_bin" config 2>/dev/null) || return 0
    read -r -d '' -a words <<<"$out" || true
    for word in "${words[@]}"; do
        if ((expect_value)); then
            expect_value=0
        else
            case $word in
                -H | --host) expect_value=1; continue ;;
                -H=* | --host=*) word=${word#*=} ;;
                *) continue ;;
            esac
        fi
        case $word in
            unix:///*) printf '%s\n' "${word#unix://}"; return 0 ;;
        esac
    done
}

answers() {
    [[ -S $1 ]] && [[ $(curl -s --max-time 3 --unix-socket "$1" http://localhost/_ping 2>/dev/null) == OK ]]
}

# Writes $2 into file $1 atomically; returns 1 if the content is unchanged.
write_file() {
    if [[ -f $1 && $(<"$1") == "$2" ]]; then
        return 1
    fi
    printf '%s\n' "$2" >"$1.tmp"
    mv -f "$1.tmp" "$1"
}

[[ $wait_seconds =~ ^[0-9]+$ ]] || { echo "ecs-env: WAIT_SECONDS must be a number" >&2; exit 2; }
# The agent's ECS_VIA_NET_PROXY=false (it leaves this marker before it reports ready; see its EcsRoute).
if [[ -f $run_dir/ecs-direct ]]; then
    rm -f "$run_dir/ecs.env"
    say "ECS_VIA_NET_PROXY=false: the ECS agent talks to Docker directly; ECS tasks run outside the" \
        "nholuongut network (Service Connect and EBS volumes work)"
    exit 0
fi
[[ -x $net_bin ]] || direct "$net_bin is missing:"
mkdir -p "$run_dir"

socket=''
deadline=$((SECONDS + wait_seconds))
while :; do
    socket=$(proxy_socket)
    if [[ -n $socket ]] && answers "$socket"; then
        break
    fi
    ((SECONDS < deadline)) || break
    sleep 1
done
if [[ -z $socket ]]; then
    direct "nholuongut Net's Docker API proxy is not running (\`$net_bin config\` names no unix socket):"
fi
answers "$socket" || direct "nholuongut Net's Docker API proxy at $socket does not answer:"

if write_file "$run_dir/proxy.env" "NET_PROXY_SOCKET=$socket"; then
    # A forwarder already running still points at the old address.
    "${SYSTEMCTL:-systemctl}" try-restart nholuongut-docker.service 2>/dev/null || true
fi
write_file "$run_dir/ecs.env" "DOCKER_HOST=unix://$run_dir/docker.sock" || true
say "the ECS agent uses nholuongut Net's Docker API proxy at $socket (through $run_dir/docker.sock):" \
    "ECS tasks join the nholuongut network"
