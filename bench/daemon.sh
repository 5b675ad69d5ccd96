#!/usr/bin/env bash
# bench/daemon.sh: what `agent.jar run` costs on an instance.
#
# Starts moto_server on loopback with a group of FLEET_SIZE (default 50) tagged instances and an Auto
# Scaling Group of the same size, a loopback IMDSv2 fixture answering as one member, and fake
# `nholuongut`/`scope` tools that record each call with a timestamp. Then, for tag mode and for ASG mode,
# it runs the daemon with the JVM flags of init/nholuongut-agent.service and reports:
#   a. time from process start to the `nholuongut launch` call
#   b. resident memory (VmRSS) after REFRESHES (default 10) refreshes      goal: <= 64 MiB
#   c. AWS API calls per refresh after boot (moto's request log)          goal: 1, whatever the group size
#   d. CPU time per refresh (utime+stime from /proc)
# and how long SIGTERM takes to end it (goal: exit 0 within 5 s). Last, the reclaim of departed peers'
# address space under Auto Scaling churn (src/test/java/.../bench/ChurnSimulation.java: 20 members, 10
# scale-in/scale-out cycles, AWS outages in some): dead peers left owning space (goal 0) and rmpeer calls
# per departed peer (goal exactly 1).
#
# Environment: FLEET_SIZE (50), REFRESHES (10), DAEMON_FLAGS (the unit's JVM flags). Output in
# bench/out/daemon/. Only 127.0.0.1 is ever contacted: moto's 10.x addresses are data, never dialled.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

FLEET_SIZE=${FLEET_SIZE:-50}
REFRESHES=${REFRESHES:-10}
# Keep in step with ExecStart in init/nholuongut-agent.service.
DAEMON_FLAGS=${DAEMON_FLAGS:-"-XX:+UseSerialGC -Xms4m -Xmx96m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -Xss512k -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=16m -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr"}
readonly REGION=us-east-1
readonly OUT=bench/out/daemon
readonly JAR=target/agent.jar
readonly JSA=$OUT/agent-run.jsa
read -r -a flags <<<"$DAEMON_FLAGS"

PROG=bench/daemon.sh
# shellcheck source=scripts/lib.sh source-path=SCRIPTDIR/..
source scripts/lib.sh
require java python3 moto_server awk
[[ -f $JAR ]] || ./mvnw -B -q package -DskipTests
rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/etc"
agent_pid=''
cleanup() {
    stop_pid "$agent_pid"
    stop_pid "$imds_pid"
    stop_pid "$moto_pid"
}
trap cleanup EXIT

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

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

echo "creating $FLEET_SIZE tagged instances and an Auto Scaling Group of $FLEET_SIZE in moto..."
python3 scripts/sample-fleet.py --endpoint "$endpoint" --tagged "$FLEET_SIZE" --tag-value daemon-bench \
    --asg bench-asg --asg-size "$FLEET_SIZE" >"$OUT/fleet.txt"

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

# Runs the daemon as $1 (tag|asg) and prints one result line.
measure() {
    local mode=$1 self id ip t0 launch_ms rss calls0 calls1 cpu0 cpu1 n0 n1
    local log=$OUT/$mode.log stop_ms code
    case $mode in
        tag) self=$(awk '$1 == "tagged" {print; exit}' "$OUT/fleet.txt") ;;
        asg) self=$(awk '$1 == "asg" {print; exit}' "$OUT/fleet.txt") ;;
    esac
    read -r _ id ip <<<"$self"
    start_imds "$OUT" "$id" "$REGION" "$ip"
    : >"$OUT/bin/calls.log"

    t0=$(now_ms)
    env -i PATH="$PATH" HOME="$OUT" \
        AWS_ENDPOINT_URL="$endpoint" AWS_REGION=$REGION AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
        AWS_EC2_METADATA_SERVICE_ENDPOINT="$AWS_EC2_METADATA_SERVICE_ENDPOINT" \
        NHOLUONGUT_CONFIG_DIR="$OUT/etc" NHOLUONGUT_STATE_DIR="$PWD/$OUT/state-$mode" \
        NHOLUONGUT_NET_BIN="$PWD/$OUT/bin/nholuongut" NHOLUONGUT_SCOPE_BIN="$PWD/$OUT/bin/scope" \
        NHOLUONGUT_REFRESH_INTERVAL=1s NHOLUONGUT_API_BUDGET=1000 \
        java "${flags[@]}" "${archive[@]}" -jar "$JAR" run --verbose >"$log" 2>&1 &
    agent_pid=$!

    for _ in $(seq 600); do
        grep -q ' nholuongut launch ' "$OUT/bin/calls.log" && break
        kill -0 "$agent_pid" 2>/dev/null || die "the agent exited early; see $log"
        sleep 0.05
    done
    launch_ms=$(($(awk '$2 == "nholuongut" && $3 == "launch" {print $1; exit}' "$OUT/bin/calls.log") - t0))

    # Steady state: from the 2nd refresh on, REFRESHES more.
    wait_refreshes 2 "$log" "$agent_pid"
    n0=$(refreshes_logged "$log")
    calls0=$(moto_calls)
    cpu0=$(awk '{print $14 + $15}' "/proc/$agent_pid/stat")
    wait_refreshes $((n0 + REFRESHES)) "$log" "$agent_pid"
    n1=$(refreshes_logged "$log")
    calls1=$(moto_calls)
    cpu1=$(awk '{print $14 + $15}' "/proc/$agent_pid/stat")
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$agent_pid/status")

    t0=$(now_ms)
    kill -TERM "$agent_pid"
    code=0
    wait "$agent_pid" || code=$?
    stop_ms=$(($(now_ms) - t0))
    agent_pid=''

    local ticks
    ticks=$(getconf CLK_TCK)
    awk -v mode="$mode" -v launch="$launch_ms" -v rss="$rss" -v calls=$((calls1 - calls0)) -v n=$((n1 - n0)) \
        -v cpu=$((cpu1 - cpu0)) -v tck="$ticks" -v stop="$stop_ms" -v code="$code" 'BEGIN {
        printf "%-4s  start->launch %5d ms   RSS %5.1f MiB   AWS calls/refresh %.2f   CPU/refresh %5.1f ms   SIGTERM->exit %4d ms (exit %d)\n",
            mode, launch, rss / 1024, calls / n, cpu * 1000 / tck / n, stop, code }'
}

# The class-data archive, made the way the image build makes it: one short run that ends on SIGTERM.
echo "creating the class-data archive for run..."
archive=(-XX:ArchiveClassesAtExit="$JSA")
measure tag >/dev/null
archive=(-XX:SharedArchiveFile="$JSA")

echo "JVM flags: ${flags[*]} -XX:SharedArchiveFile=$JSA"
{
    measure tag
    measure asg
} | tee "$OUT/results.txt"

echo "reclaiming departed peers' address space under Auto Scaling churn (virtual clock)..."
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile="$OUT/test.classpath" \
    -Dmdep.includeScope=test >/dev/null
java -cp "target/classes:target/test-classes:$(cat "$OUT/test.classpath")" com.nholuongut.ecs.bench.ChurnSimulation \
    | tee -a "$OUT/results.txt"
