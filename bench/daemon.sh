#!/usr/bin/env bash
# bench/daemon.sh: what `agent.jar run` costs on an instance.
#
# Starts moto_server on loopback with a group of FLEET_SIZE (default 200) tagged instances and an Auto
# Scaling Group of ASG_SIZE (default 50), a loopback IMDSv2 fixture answering as one member, and fake
# `nholuongut`/`scope` tools that record each call with a timestamp. Then it runs the daemon, refreshing every
# second, in each of two variants, ROUNDS (default 3) times each, interleaved (unit, appcds, unit, appcds, ...):
#
#   unit    exactly init/nholuongut-agent.service's ExecStart= (its JVM flags and its archive kind), on
#           JAVA_UNIT (the image's Java; default: a Java 25 from /usr/lib/jvm when the unit asks for an AOT
#           cache), with the archive packer/scripts/make-cds-archive.sh makes from that unit, as the image build
#           does (its training run answered by the recorded stand-in, packer/scripts/training-aws.py)
#   appcds  the same flags with a dynamic AppCDS archive instead of the AOT cache, on JAVA_APPCDS (default: the
#           java on PATH, 17 here), archive made by the same script from the unit so rewritten
#   offline the unit, with an AOT cache trained the way the image did before: a run that meets no AWS (a closed
#           port) and launches from saved peers; what training on a successful discovery buys
#   arena2  the unit run with MALLOC_ARENA_MAX=2 (as an Environment= line would set it): glibc's malloc keeps
#           at most two arenas instead of up to eight per CPU for the JVM's native allocations (not by default)
#   compact the unit with -XX:+UseCompactObjectHeaders (Java 25, JEP 519: 8-byte object headers instead of 12),
#           its archive made from that unit (not by default)
#
# and reports for each (medians over the rounds, tag mode):
#   a. time from process start to the `nholuongut launch` call
#   b. VmRSS and RssAnon SAMPLE_AFTER (default 25) s after start, and the thread count    goal: VmRSS <= 64 MiB
#   c. AWS API calls per refresh after boot (moto's request log)          goal: 1, whatever the group size
#   d. CPU time per refresh (utime+stime from /proc)
#   e. how long SIGTERM takes to end it (goal: exit 0 within 5 s)
# then one run of each variant in Auto Scaling Group mode (a, c, d, e), and the heap check: the unit variant
# against a group of LARGE (default 5000) members served by the stand-in in pages of 1000 (moto would take
# minutes per page), which must launch Net with all of them within the unit's -Xmx, reporting the heap the
# GC log shows at its peak and after the last collection, and VmRSS 10 s after the launch. Last, the reclaim
# of departed peers' address space under Auto Scaling churn (src/test/java/.../bench/ChurnSimulation.java).
#
# Environment: FLEET_SIZE (200), ASG_SIZE (50), ROUNDS (3), SAMPLE_AFTER (25), LARGE (5000), JAVA_UNIT,
# JAVA_APPCDS, VARIANTS ("unit appcds offline"). Output in bench/out/daemon/. Only 127.0.0.1 is ever contacted: the 10.x addresses are data.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

FLEET_SIZE=${FLEET_SIZE:-200}
ASG_SIZE=${ASG_SIZE:-50}
ROUNDS=${ROUNDS:-3}
SAMPLE_AFTER=${SAMPLE_AFTER:-25}
LARGE=${LARGE:-5000}
readonly REGION=us-east-1
readonly OUT=bench/out/daemon
readonly JAR=bench/out/daemon/agent.jar  # a snapshot of target/agent.jar: a rebuild meanwhile changes nothing
readonly UNIT=init/nholuongut-agent.service

PROG=bench/daemon.sh
# shellcheck source=scripts/lib.sh source-path=SCRIPTDIR/..
source scripts/lib.sh
require java python3 moto_server awk
for n in FLEET_SIZE ASG_SIZE ROUNDS SAMPLE_AFTER LARGE; do
    [[ ${!n} =~ ^[1-9][0-9]*$ ]] || die "$n must be a positive integer"
done
[[ -f target/agent.jar ]] || ./mvnw -B -q package -DskipTests
rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/etc"
cp target/agent.jar "$JAR"
agent_pid=''
large_pid=''
cleanup() {
    stop_pid "$agent_pid"
    stop_pid "$large_pid"
    stop_pid "$imds_pid"
    stop_pid "$moto_pid"
}
trap cleanup EXIT

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# --- the variants: the unit's ExecStart= and the same with AppCDS -------------------------------------------

# The unit's ExecStart= words, continuation lines joined: read by the image's own script.
exec_start_line=$(packer/scripts/make-cds-archive.sh --exec-start "$UNIT") || die "cannot read $UNIT's ExecStart="
read -r -a exec_start <<<"$exec_start_line"
unit_flags=()
unit_kind=''
for word in "${exec_start[@]:1}"; do
    [[ $word == -jar ]] && break
    case $word in
        -XX:AOTCache=*) unit_kind=aot ;;
        -XX:SharedArchiveFile=*) unit_kind=cds ;;
        -Xshare:*) ;;
        *) unit_flags+=("$word") ;;
    esac
done
[[ -n $unit_kind ]] || die "$UNIT's ExecStart= names no class-data archive"

if [[ -z ${JAVA_UNIT:-} ]]; then
    if [[ $unit_kind == aot ]]; then
        JAVA_UNIT=$(java_at_least 25)
        [[ -n $JAVA_UNIT ]] || die "$UNIT uses an AOT cache: set JAVA_UNIT to a Java 25 or later"
    else
        JAVA_UNIT=$(command -v java)
    fi
fi
JAVA_APPCDS=${JAVA_APPCDS:-$(command -v java)}

read -r -a variants <<<"${VARIANTS:-unit appcds offline}"
declare -A java_of kind_of
java_of[unit]=$JAVA_UNIT
kind_of[unit]=$unit_kind
java_of[appcds]=$JAVA_APPCDS
kind_of[appcds]=cds
java_of[offline]=$JAVA_UNIT
kind_of[offline]=$unit_kind
java_of[arena2]=$JAVA_UNIT
kind_of[arena2]=$unit_kind
java_of[compact]=$JAVA_UNIT
kind_of[compact]=$unit_kind
declare -A extra_of=([compact]=-XX:+UseCompactObjectHeaders)
for v in "${variants[@]}"; do
    [[ -n ${java_of[$v]:-} ]] || die "unknown variant $v (VARIANTS: unit, appcds, offline, arena2, compact)"
done

# archive_option VARIANT: the flag that maps its archive.
archive_option() {
    case ${kind_of[$1]} in
        aot) echo "-XX:AOTCache=$PWD/$OUT/$1.archive" ;;
        cds) echo "-XX:SharedArchiveFile=$PWD/$OUT/$1.archive" ;;
    esac
}

# offline_training VARIANT: the archive as the image's training made it before: AWS and IMDS unreachable (a
# closed port), so a run that starts from saved peers, launches Net and Scope, and is ended by SIGTERM.
offline_training() {
    local dir=$OUT/offline-training pid training
    mkdir -p "$dir/state" "$dir/bin"
    printf '{"version": 1, "members": 2, "peers": ["127.0.0.2"]}\n' >"$dir/state/peers.json"
    cat >"$dir/bin/tool" <<'TOOL'
#!/bin/sh
[ "${1:-}" = status ] && exit 1
exit 0
TOOL
    chmod +x "$dir/bin/tool"
    case ${kind_of[$1]} in
        aot) training=(-XX:AOTCacheOutput="$PWD/$OUT/$1.archive") ;;
        cds) training=(-XX:ArchiveClassesAtExit="$PWD/$OUT/$1.archive") ;;
    esac
    env -i PATH=/usr/bin:/bin HOME="$dir" AWS_ACCESS_KEY_ID=training AWS_SECRET_ACCESS_KEY=training \
        AWS_REGION=us-east-1 AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9 \
        AWS_EC2_METADATA_DISABLED=true "${java_of[$1]}" "${unit_flags[@]}" "${training[@]}" -jar "$JAR" run \
        --config-dir "$OUT/etc" --instance-id i-00000000000000000 --region us-east-1 --set SCOPE_APPS=all \
        --set NET_BIN="$dir/bin/tool" --set SCOPE_BIN="$dir/bin/tool" --set STATE_DIR="$dir/state" \
        >"$OUT/$1-archive.log" 2>&1 &
    pid=$!
    for _ in $(seq 450); do
        grep -q 'launch --probe' "$OUT/$1-archive.log" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || true
    [[ -s $OUT/$1.archive ]] || { cat "$OUT/$1-archive.log" >&2; die "the offline training wrote no archive"; }
}

# Each variant's archive, made by the image's own script from a unit whose ExecStart= is the variant's.
for v in "${variants[@]}"; do
    if [[ $v == offline ]]; then
        echo "making the offline variant's archive (a training run that meets no AWS)"
        offline_training "$v"
        continue
    fi
    {
        echo "[Service]"
        printf 'ExecStart=%s %s %s%s -Xshare:auto -jar %s run\n' "${java_of[$v]}" "${unit_flags[*]}" \
            "${extra_of[$v]:+${extra_of[$v]} }" "$(archive_option "$v")" "$PWD/$JAR"
    } | sed "$([[ ${kind_of[$v]} == aot ]] && echo 's/ -Xshare:auto//')" >"$OUT/$v.service"
    echo "making the $v variant's archive with packer/scripts/make-cds-archive.sh"
    CONFIG_DIR=$OUT/etc packer/scripts/make-cds-archive.sh "$OUT/$v.service" >"$OUT/$v-archive.log" 2>&1 \
        || { cat "$OUT/$v-archive.log" >&2; die "make-cds-archive.sh failed for $v"; }
done

# --- the fleet, the tools -----------------------------------------------------------------------------------

# The fakes: record "<epoch ms> <tool> <args>" and behave like a host where Net is not running yet.
for tool in nholuongut scope; do
    cat >"$OUT/bin/$tool" <<'FAKE'
#!/usr/bin/env bash
printf '%s %s %s\n' "$(($(date +%s%N) / 1000000))" "${0##*/}" "$*" >>"${0%/*}/calls.log"
[[ ${0##*/} == nholuongut && ${1:-} == status ]] && exit 1
exit 0
FAKE
    chmod +x "$OUT/bin/$tool"
done

start_moto "$OUT"
endpoint=$AWS_ENDPOINT_URL

echo "creating $FLEET_SIZE tagged instances and an Auto Scaling Group of $ASG_SIZE in moto..."
python3 scripts/sample-fleet.py --endpoint "$endpoint" --tagged "$FLEET_SIZE" --tag-value daemon-bench \
    --asg bench-asg --asg-size "$ASG_SIZE" >"$OUT/fleet.txt"

moto_calls() {
    grep -c '"POST / HTTP' "$OUT/moto.log" || true
}

refreshes_logged() {
    grep -c 'DEBUG refresh [0-9]*:' "$1" || true
}

# Waits until the log ($2) shows $1 refreshes; gives up after 2 minutes or when the agent ($3) died.
wait_refreshes() {
    local deadline=$((SECONDS + 120))
    until (($(refreshes_logged "$2") >= $1)); do
        kill -0 "$3" 2>/dev/null || die "the agent exited early; see $2"
        ((SECONDS < deadline)) || die "no $1 refreshes within 2 minutes; see $2"
        sleep 0.05
    done
}

# start_agent VARIANT LOG [ENV...]: starts the daemon as the variant would run, with the bench's settings.
start_agent() {
    local v=$1 log=$2 state variant_env=()
    shift 2
    [[ $v == arena2 ]] && variant_env=(MALLOC_ARENA_MAX=2)
    state=$(mktemp -d "$PWD/$OUT/state.XXXXXX")
    : >"$OUT/bin/calls.log"
    env -i PATH="$PATH" HOME="$OUT" \
        AWS_ENDPOINT_URL="$endpoint" AWS_REGION=$REGION AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
        AWS_EC2_METADATA_SERVICE_ENDPOINT="$AWS_EC2_METADATA_SERVICE_ENDPOINT" \
        NHOLUONGUT_CONFIG_DIR="$OUT/etc" NHOLUONGUT_STATE_DIR="$state" \
        NHOLUONGUT_NET_BIN="$PWD/$OUT/bin/nholuongut" NHOLUONGUT_SCOPE_BIN="$PWD/$OUT/bin/scope" \
        NHOLUONGUT_REFRESH_INTERVAL=1s NHOLUONGUT_API_BUDGET=1000 "${variant_env[@]}" "$@" \
        "${java_of[$v]}" "${unit_flags[@]}" ${extra_of[$v]:+"${extra_of[$v]}"} "$(archive_option "$v")" \
        -jar "$JAR" run --verbose >"$log" 2>&1 &
    agent_pid=$!
}

# wait_launch LOG: the epoch ms of the `nholuongut launch` call.
wait_launch() {
    for _ in $(seq 1200); do
        grep -q ' nholuongut launch ' "$OUT/bin/calls.log" && break
        kill -0 "$agent_pid" 2>/dev/null || die "the agent exited early; see $1"
        sleep 0.05
    done
    grep -q ' nholuongut launch ' "$OUT/bin/calls.log" || die "no nholuongut launch within a minute; see $1"
    awk '$2 == "nholuongut" && $3 == "launch" {print $1; exit}' "$OUT/bin/calls.log"
}

stop_agent() { # SIGTERM; sets stop_ms (to its exit) and stop_code
    local t0
    t0=$(now_ms)
    kill -TERM "$agent_pid"
    stop_code=0
    wait "$agent_pid" || stop_code=$?
    agent_pid=''
    stop_ms=$(($(now_ms) - t0))
}

status_kib() { # status_kib PID FIELD
    awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"
}

# measure MODE VARIANT ROUND: one run; appends "variant mode launch_ms rss_kib anon_kib threads calls cpu_ms stop_ms exit"
measure() {
    local mode=$1 v=$2 r=$3 self id ip t0 launch rss anon threads calls0 calls1 cpu0 cpu1 n0 n1
    local log=$OUT/$v-$mode-$r.log ticks
    case $mode in
        tag) self=$(awk '$1 == "tagged" {print; exit}' "$OUT/fleet.txt") ;;
        asg) self=$(awk '$1 == "asg" {print; exit}' "$OUT/fleet.txt") ;;
    esac
    read -r _ id ip <<<"$self"
    start_imds "$OUT" "$id" "$REGION" "$ip"
    t0=$(now_ms)
    start_agent "$v" "$log"
    launch=$(($(wait_launch "$log") - t0))

    # Steady state: from the 2nd refresh on, until SAMPLE_AFTER s after start (at least 5 refreshes).
    wait_refreshes 2 "$log" "$agent_pid"
    n0=$(refreshes_logged "$log")
    calls0=$(moto_calls)
    cpu0=$(awk '{print $14 + $15}' "/proc/$agent_pid/stat")
    while (($(now_ms) - t0 < SAMPLE_AFTER * 1000)); do
        kill -0 "$agent_pid" 2>/dev/null || die "the agent exited early; see $log"
        sleep 0.2
    done
    wait_refreshes $((n0 + 5)) "$log" "$agent_pid"
    n1=$(refreshes_logged "$log")
    calls1=$(moto_calls)
    cpu1=$(awk '{print $14 + $15}' "/proc/$agent_pid/stat")
    rss=$(status_kib "$agent_pid" VmRSS)
    anon=$(status_kib "$agent_pid" RssAnon)
    threads=$(status_kib "$agent_pid" Threads)
    stop_agent
    ticks=$(getconf CLK_TCK)
    awk -v v="$v" -v mode="$mode" -v launch="$launch" -v rss="$rss" -v anon="$anon" -v threads="$threads" \
        -v calls=$((calls1 - calls0)) -v n=$((n1 - n0)) -v cpu=$((cpu1 - cpu0)) -v tck="$ticks" -v stop="$stop_ms" \
        -v code="$stop_code" 'BEGIN { printf "%s %s %d %d %d %d %.2f %.1f %d %d\n", v, mode, launch, rss, anon, threads,
        calls / n, cpu * 1000 / tck / n, stop, code }' >>"$OUT/runs.txt"
}

median_of() { # median_of VARIANT MODE COLUMN
    awk -v v="$1" -v m="$2" -v c="$3" '$1 == v && $2 == m { print $c }' "$OUT/runs.txt" | sort -n \
        | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

report() { # report MODE
    local v
    for v in "${variants[@]}"; do
        awk -v v="$v" -v mode="$1" -v java="$(java_feature "${java_of[$v]}")" -v kind="${kind_of[$v]}" \
            -v launch="$(median_of "$v" "$1" 3)" -v rss="$(median_of "$v" "$1" 4)" -v anon="$(median_of "$v" "$1" 5)" \
            -v threads="$(median_of "$v" "$1" 6)" -v calls="$(median_of "$v" "$1" 7)" -v cpu="$(median_of "$v" "$1" 8)" \
            -v stop="$(median_of "$v" "$1" 9)" -v code="$(median_of "$v" "$1" 10)" 'BEGIN {
            printf "%-6s %-3s Java %-2s %-3s start->launch %5d ms  VmRSS %5.1f MiB  RssAnon %5.1f MiB  threads %2d" \
                "  AWS calls/refresh %.2f  CPU/refresh %5.1f ms  SIGTERM->exit %4d ms (exit %d)\n",
                v, mode, java, kind, launch, rss / 1024, anon / 1024, threads, calls, cpu, stop, code }'
    done | tee -a "$OUT/results.txt"
}

{
    echo "# bench/daemon.sh $(date -u +%Y-%m-%dT%H:%M:%SZ); $(nproc) CPUs; group of $FLEET_SIZE, refresh 1 s,"
    echo "# sampled ${SAMPLE_AFTER} s after start, medians of $ROUNDS interleaved rounds"
    echo "# JVM flags (from $UNIT): ${unit_flags[*]}"
    for v in "${variants[@]}"; do
        echo "# $v: ${java_of[$v]} ($("${java_of[$v]}" -version 2>&1 | head -1)) $(archive_option "$v")"
    done
} | tee "$OUT/results.txt"
: >"$OUT/runs.txt"
for r in $(seq "$ROUNDS"); do
    for v in "${variants[@]}"; do
        echo "round $r: $v (tag mode)"
        measure tag "$v" "$r"
    done
done
report tag
for v in "${variants[@]}"; do
    measure asg "$v" 1
done
report asg

# --- a large group: the heap the unit's -Xmx must hold ----------------------------------------------------

echo "a group of $LARGE (the stand-in, pages of 1000) with the unit variant..."
stop_pid "$imds_pid"
imds_pid=''
start_port_server "$OUT" large "the training stand-in" \
    python3 packer/scripts/training-aws.py serve packer/scripts/training "$LARGE"
large_pid=$server_pid
endpoint=http://127.0.0.1:$server_port
AWS_EC2_METADATA_SERVICE_ENDPOINT=$endpoint
unit_flags+=(-Xlog:gc:file="$OUT/large.gc.log")
t0=$(now_ms)
start_agent unit "$OUT/large.agent.log"
launch=$(($(wait_launch "$OUT/large.agent.log") - t0))
members=$(grep -o 'consensus=[0-9]*' "$OUT/bin/calls.log" | head -1)
sleep 10
rss=$(status_kib "$agent_pid" VmRSS)
hwm=$(status_kib "$agent_pid" VmHWM)
stop_agent
[[ $members == "consensus=$LARGE" ]] || die "the large group launched with $members, not consensus=$LARGE"
heap=$(awk '/Pause/ {
        match($0, /[0-9]+M->[0-9]+M\([0-9]+M\)/); s = substr($0, RSTART, RLENGTH); split(s, p, /M->|M\(|M\)/)
        if (p[1] > peak) peak = p[1]; after = p[2]; committed = p[3] }
        END { printf "heap peak %d MiB, after the last GC %d MiB live of %d MiB committed", peak, after, committed }' \
    "$OUT/large.gc.log")
printf 'large  tag  %d members: launched with all of them in %d ms; %s; VmRSS %.1f MiB (peak %.1f MiB) 10 s after; exit %d\n' \
    "$LARGE" "$launch" "$heap" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
    "$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')" "$stop_code" | tee -a "$OUT/results.txt"

echo "reclaiming departed peers' address space under Auto Scaling churn (virtual clock)..."
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/test.classpath" \
    -Dmdep.includeScope=test >/dev/null
java -cp "target/classes:target/test-classes:$(cat "$OUT/test.classpath")" com.nholuongut.ecs.bench.ChurnSimulation \
    | tee -a "$OUT/results.txt"
