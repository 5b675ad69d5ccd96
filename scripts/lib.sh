#!/usr/bin/env bash
# Shared by demo.sh and bench/*.sh (sourced, not run, from the repository's root): errors, the tools a
# script needs, and loopback moto_server and IMDS fixture start-up. The caller keeps moto_pid/imds_pid for
# its own cleanup (stop_pid).

moto_pid=''
imds_pid=''

# die MESSAGE: one line on stderr, named after the script (PROG, e.g. "bench/daemon.sh: ..."), then exit 1.
die() {
    printf '%s: %s\n' "${PROG:-${0##*/}}" "$*" >&2
    exit 1
}

# require TOOL...: each must be on PATH.
require() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool is not on PATH"
    done
}

# stop_pid PID: TERM, then KILL after 5 s.
stop_pid() {
    local pid=$1
    [[ -n $pid ]] || return 0
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_moto DIR: moto_server on a free loopback port, its log in DIR/moto.log; exports AWS_ENDPOINT_URL.
start_moto() {
    local dir=$1 port
    port=$(free_port)
    moto_server -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 &
    moto_pid=$!
    export AWS_ENDPOINT_URL=http://127.0.0.1:$port
    for _ in $(seq 150); do
        curl -fsS -o /dev/null "$AWS_ENDPOINT_URL/moto-api/data.json" 2>/dev/null && return 0
        kill -0 "$moto_pid" 2>/dev/null || { cat "$dir/moto.log" >&2; die "moto_server exited"; }
        sleep 0.1
    done
    die "moto_server did not answer on $AWS_ENDPOINT_URL"
}

# start_port_server DIR NAME WHAT COMMAND...: starts COMMAND, a loopback server that prints the port it listens
# on alone on its first line (the IMDS fixture, the training stand-in), and waits for that line; sets server_pid
# and server_port. Its stdout goes to DIR/NAME.port, its stderr to DIR/NAME.log; WHAT names it in errors.
start_port_server() {
    local dir=$1 name=$2 what=$3
    shift 3
    server_port=''
    : >"$dir/$name.port"
    "$@" >"$dir/$name.port" 2>>"$dir/$name.log" &
    server_pid=$!
    for _ in $(seq 100); do
        read -r server_port <"$dir/$name.port" || true
        [[ -n $server_port ]] && return 0
        kill -0 "$server_pid" 2>/dev/null || { cat "$dir/$name.log" >&2; die "$what exited"; }
        sleep 0.05
    done
    die "$what did not start"
}

# start_imds DIR INSTANCE_ID REGION PRIVATE_IP: (re)starts the IMDSv2 fixture answering as that instance;
# exports AWS_EC2_METADATA_SERVICE_ENDPOINT.
start_imds() {
    stop_pid "$imds_pid"
    imds_pid=''
    start_port_server "$1" imds "the IMDS fixture" python3 scripts/imds-fixture.py "$2" "$3" "$4" 0
    imds_pid=$server_pid
    export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$server_port
}

# java_feature JAVA: the feature release of that java binary (25 for 25.0.3), or 0 when it cannot tell.
java_feature() {
    local v
    v=$("$1" -version 2>&1 | awk -F'"' '/version/ { split($2, v, "."); print v[1]; exit }')
    if [[ $v =~ ^[0-9]+$ ]]; then echo "$v"; else echo 0; fi
}

# java_at_least N: the first java of /usr/lib/jvm whose feature release is N or later; nothing if none is.
java_at_least() {
    local candidate
    for candidate in /usr/lib/jvm/*/bin/java; do
        if [[ -x $candidate ]] && (($(java_feature "$candidate") >= $1)); then
            echo "$candidate"
            return 0
        fi
    done
}
