#!/usr/bin/env bash
# bench/discover.sh: how long one cold peer discovery takes, and how many AWS calls it makes.
#
# Against a local AWS emulator (moto_server) holding a group of FLEET_SIZE (default 100) instances tagged
# nholuongut:peerGroupName=bench (one RunInstances call each), plus some untagged instances and a small
# Auto Scaling Group, and a local IMDSv2 fixture answering as the first tagged instance, it times
# RUNS (default 7) fresh runs of each of:
#
#   a. pipeline  the shell pipeline the original AMIs used: curl IMDSv2 token + instance id, region and
#                own address, `aws ec2 describe-tags` (own tag), `aws ec2 describe-instances` (filter
#                by tag and state, query PrivateIpAddress), own address removed, numeric sort
#   b. plain     java -jar agent.jar discover, the jar beside its archives as on the image (agent.aot, agent.jsa):
#                the agent relaunches itself with the tuned flags and the archive for this JVM (src/main/java/
#                com/nholuongut/ecs/app/Relaunch.java), so this is the tuned run plus a second JVM start
#   f. bare      java -jar agent.jar discover, the jar alone in a folder (a download): nothing to relaunch with
#   c. tuned     TUNED_FLAGS plus an application class-data archive (AppCDS, bench/out/agent.jsa, made first
#                with -XX:ArchiveClassesAtExit from one discover run), on the java on PATH
#   d. aot       TUNED_FLAGS (less -Xshare) plus an AOT cache (JEP 483/514/515, bench/out/agent.aot, made first
#                with -XX:AOTCacheOutput from one discover run), on JAVA_AOT: a Java 25 or later, by default the
#                first one in /usr/lib/jvm (skipped, and said so, when there is none)
#   e. plain25   java -jar agent.jar discover on JAVA_AOT: the plain launch on the image's JVM, relaunched with
#                the AOT cache (left out with d)
#   g. bare25    the bare jar on JAVA_AOT (left out with d)
#
# Every variant's output must be the same set of peer addresses (checked before timing, and after each
# timed run). Rounds are interleaved (a b c, a b c, ...) so that background load hits every variant
# alike. Prints the medians, pipeline/plain and pipeline/tuned, and whether the goals hold (tuned at
# least 3x faster than the pipeline, plain at least as fast). Then counts the AWS API calls of one
# discovery in tag mode and in Auto Scaling Group mode from moto's request log (goal: at most 2 and 3).
#
# With BASELINE_JAR (an earlier build of agent.jar), each Java variant is also timed with that jar (plain-base,
# tuned-base, aot-base, each with its own archive), in the same rounds: what a change bought.
#
# Environment: RUNS (7), FLEET_SIZE (100), ASG_SIZE (4), TUNED_FLAGS (the flags, see below), JAVA_AOT, BASELINE_JAR,
# EXPLORE=1 to also time a few candidate flag sets (and a static AppCDS archive, and with JAVA_AOT the AOT
# cache's own alternatives) and show why TUNED_FLAGS won, STRICT=1 to exit 1 when a goal is missed.
# Output: bench/out/discover/ (results.txt, timings.csv, logs), and bench/out/agent.jar + agent.jsa.
#
# Everything stays on 127.0.0.1: fake credentials, AWS_ENDPOINT_URL at moto, the metadata endpoint at the
# fixture. The 10.x addresses moto hands out are compared as text, never contacted.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${RUNS:-7}
FLEET_SIZE=${FLEET_SIZE:-100}
ASG_SIZE=${ASG_SIZE:-4}
EXPLORE=${EXPLORE:-0}
STRICT=${STRICT:-0}
# The image's launch flags for a short-lived client (EXPLORE=1 times the alternatives):
#   TieredStopAtLevel=1  C1 only: a run is over before C2 code would pay back its compile time
#   CICompilerCount=1    one compiler thread, not two: on a 2-vCPU instance it leaves the main thread
#                        a CPU (about -30 ms here, with SerialGC)
#   UseSerialGC          no GC worker threads to start for a heap of a few MB (about -10 ms here)
#   Xmx256m              a heap limit, as the unit has: compressed oops stay on even on an instance of 128 GiB
#                        or more, where the default heap (a quarter of the memory) would turn them off, and an
#                        archive made with them (the image's, from the unit's -Xmx128m) would no longer map
#   Xshare:auto          a stale or missing archive slows the start but never stops the agent
#   Xlog ... stderr      JVM warnings (e.g. "Unable to use shared archive") go to stderr: by default the
#                        JVM prints them on stdout, which would corrupt `discover`'s output
# -XX:-UsePerfData gained nothing measurable and hides the daemon from jps/jstat, so it is left out.
# These are Relaunch.FLAGS (plus -Xshare:auto, the default): RelaunchTest holds the two together.
TUNED_FLAGS=${TUNED_FLAGS:-"-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC -Xmx256m -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr"}
readonly TAG=nholuongut:peerGroupName
readonly GROUP=bench
readonly REGION=us-east-1
readonly OUT=bench/out/discover  # this bench's own directory: other benches write beside it in bench/out
readonly JAR=bench/out/agent.jar  # a snapshot of target/agent.jar: every variant times the same bits
readonly JSA=bench/out/agent.jsa  # the class-data archive made for that jar
readonly AOT=bench/out/agent.aot  # the AOT cache made for it
readonly BARE=bench/out/bare/agent.jar  # the same jar with no archive beside it
readonly BASE_JAR=bench/out/baseline.jar BASE_JSA=bench/out/baseline.jsa BASE_AOT=bench/out/baseline.aot

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive integer" >&2; exit 2; }
[[ $FLEET_SIZE =~ ^[1-9][0-9]*$ ]] || { echo "FLEET_SIZE must be a positive integer" >&2; exit 2; }
[[ $ASG_SIZE =~ ^[1-9][0-9]*$ ]] || { echo "ASG_SIZE must be a positive integer" >&2; exit 2; }
read -r -a tuned <<<"$TUNED_FLAGS"
aot_flags=()
for flag in "${tuned[@]}"; do
    [[ $flag == -Xshare:* ]] || aot_flags+=("$flag") # an AOT cache and -Xshare exclude each other
done

PROG=bench/discover.sh
# shellcheck source=scripts/lib.sh source-path=SCRIPTDIR/..
source scripts/lib.sh
JAVA_AOT=${JAVA_AOT:-$(java_at_least 25)}
variants=(pipeline plain bare tuned)
[[ -n $JAVA_AOT ]] && variants+=(aot plain25 bare25)
if [[ -n ${BASELINE_JAR:-} ]]; then
    [[ -r $BASELINE_JAR ]] || { echo "BASELINE_JAR $BASELINE_JAR cannot be read" >&2; exit 2; }
    variants+=(plain-base tuned-base)
    [[ -n $JAVA_AOT ]] && variants+=(aot-base)
fi
require java python3 moto_server curl aws awk sort
python3 -c 'import boto3' 2>/dev/null || die "python3 cannot import boto3"

# The AWS CLI as an AMI has it: the real entry point, not a version manager's wrapper (a pyenv shim
# would add a bash script and a second interpreter start to every call, which is not the pipeline's cost).
aws_bin=$(command -v aws)
if command -v pyenv >/dev/null && [[ $aws_bin == */shims/* ]]; then
    aws_bin=$(pyenv which aws)
fi

rm -rf "$OUT"
rm -f "$JAR" "$JSA" "$AOT" "$BARE" "$BASE_JAR" "$BASE_JSA" "$BASE_AOT"
mkdir -p "$OUT/config" "$OUT/aws" "$OUT/runs" "$(dirname "$BARE")"
: >"$OUT/aws/config"
: >"$OUT/aws/credentials"


cleanup() {
    local status=$?
    stop_pid "$imds_pid"
    stop_pid "$moto_pid"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() {
    printf '%s\n' "$*" | tee -a "$OUT/results.txt"
}

# Nothing may reach real AWS or 169.254.169.254.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=$REGION AWS_DEFAULT_REGION=$REGION
export AWS_CONFIG_FILE=$PWD/$OUT/aws/config AWS_SHARED_CREDENTIALS_FILE=$PWD/$OUT/aws/credentials
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9 AWS_EC2_METADATA_DISABLED=true
export NHOLUONGUT_CONFIG_DIR=$PWD/$OUT/config
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_EC2 AWS_ENDPOINT_URL_AUTO_SCALING JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS

if [[ ! -f target/agent.jar ]]; then
    echo "building target/agent.jar"
    ./mvnw -B -q package -DskipTests
fi
cp target/agent.jar "$JAR"
cp target/agent.jar "$BARE"
[[ -n ${BASELINE_JAR:-} ]] && cp "$BASELINE_JAR" "$BASE_JAR"

# --- the emulator, the fleet and the metadata fixture ------------------------------------------------

start_moto "$OUT"

echo "creating the fleet: $FLEET_SIZE tagged $TAG=$GROUP, 10 untagged, Auto Scaling Group of $ASG_SIZE"
python3 scripts/sample-fleet.py --endpoint "$AWS_ENDPOINT_URL" --region "$REGION" --tagged "$FLEET_SIZE" \
    --tag-key "$TAG" --tag-value "$GROUP" --untagged 10 --asg bench-asg --asg-size "$ASG_SIZE" >"$OUT/fleet.txt"

pick() { # pick KIND N: "ID ADDRESS" of the Nth instance of that kind
    awk -v kind="$1" -v n="$2" '$1 == kind && ++seen == n { print $2, $3 }' "$OUT/fleet.txt"
}
read -r self_id self_ip < <(pick tagged 1)
read -r asg_id asg_ip < <(pick asg 1)

numeric_sort() {
    sort -u -t. -k1,1n -k2,2n -k3,3n -k4,4n
}
awk -v self="$self_id" '$1 == "tagged" && $2 != self { print $3 }' "$OUT/fleet.txt" | numeric_sort \
    >"$OUT/expected.txt"

# be INSTANCE_ID PRIVATE_IP: (re)starts the IMDSv2 fixture answering as that instance.
be() {
    start_imds "$OUT" "$1" "$REGION" "$2"
}
be "$self_id" "$self_ip"

# --- the variants ---------------------------------------------------------------------------------------

# a. What the original AMIs ran at boot, IMDSv2-ified.
pipeline() {
    local imds=$AWS_EC2_METADATA_SERVICE_ENDPOINT token id region own group
    token=$(curl -fsS --max-time 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$imds/latest/api/token")
    id=$(curl -fsS --max-time 2 -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/instance-id")
    region=$(curl -fsS --max-time 2 -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/placement/region")
    own=$(curl -fsS --max-time 2 -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/local-ipv4")
    group=$("$aws_bin" ec2 describe-tags --region "$region" \
        --filters "Name=resource-id,Values=$id" "Name=key,Values=$TAG" --query 'Tags[0].Value' --output text)
    "$aws_bin" ec2 describe-instances --region "$region" \
        --filters "Name=tag:$TAG,Values=$group" Name=instance-state-name,Values=pending,running \
        --query 'Reservations[].Instances[].PrivateIpAddress' --output text \
        | tr -s '[:blank:]' '\n' | awk -v own="$own" 'NF && $0 != own && $0 != "None"' | numeric_sort
}

plain() {
    java -jar "$JAR" discover
}

tuned() {
    java "${tuned[@]}" -XX:SharedArchiveFile="$JSA" -jar "$JAR" discover
}

aot() {
    "$JAVA_AOT" "${aot_flags[@]}" -XX:AOTCache="$AOT" -jar "$JAR" discover
}

plain25() {
    "$JAVA_AOT" -jar "$JAR" discover
}

bare() {
    java -jar "$BARE" discover
}

bare25() {
    "$JAVA_AOT" -jar "$BARE" discover
}

plain-base() {
    java -jar "$BASE_JAR" discover
}

tuned-base() {
    java "${tuned[@]}" -XX:SharedArchiveFile="$BASE_JSA" -jar "$BASE_JAR" discover
}

aot-base() {
    "$JAVA_AOT" "${aot_flags[@]}" -XX:AOTCache="$BASE_AOT" -jar "$BASE_JAR" discover
}

now_ns() {
    date +%s%N
}

# timed NAME COMMAND...: runs it once, output to $OUT/runs/NAME.out; prints the milliseconds.
timed() {
    local name=$1 start end
    shift
    start=$(now_ns)
    "$@" >"$OUT/runs/$name.out" 2>"$OUT/runs/$name.err" || {
        cat "$OUT/runs/$name.err" >&2
        die "$name failed"
    }
    end=$(now_ns)
    echo $(((end - start) / 1000000))
}

same_peers() { # same_peers NAME: the run's output is the expected set
    cmp -s "$OUT/runs/$1.out" "$OUT/expected.txt" || {
        diff "$OUT/expected.txt" "$OUT/runs/$1.out" >&2 || true
        die "$1: the peers differ from the expected $(wc -l <"$OUT/expected.txt") addresses"
    }
}

median() { # median FILE: of the numbers in FILE, one a line
    sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "making the class-data archive: one discover run with -XX:ArchiveClassesAtExit=$JSA"
# Made with the tuned flags (without the archive itself); the JVM's own messages go to a log, not stdout.
java "${tuned[@]}" -XX:ArchiveClassesAtExit="$JSA" -Xlog:cds=warning:file="$OUT/jsa-dump.log" \
    -jar "$JAR" discover >"$OUT/runs/dump.out" 2>"$OUT/runs/dump.err" || {
    cat "$OUT/runs/dump.err" >&2
    die "the archive run failed"
}
[[ -s $JSA ]] || die "no archive was written"
# -Xshare:auto would silently run without a stale archive: prove that this one maps.
java "${tuned[@]}" -Xshare:on -XX:SharedArchiveFile="$JSA" -jar "$JAR" --version >/dev/null 2>"$OUT/jsa-check.err" \
    || { cat "$OUT/jsa-check.err" >&2; die "the archive $JSA does not map (-Xshare:on refused it)"; }

if [[ -n ${JAVA_AOT:-} ]]; then
    echo "making the AOT cache: one discover run of $JAVA_AOT with -XX:AOTCacheOutput=$AOT"
    "$JAVA_AOT" "${aot_flags[@]}" -XX:AOTCacheOutput="$AOT" -jar "$JAR" discover >"$OUT/runs/aot-dump.out" \
        2>"$OUT/runs/aot-dump.err" || { cat "$OUT/runs/aot-dump.err" >&2; die "the AOT training run failed"; }
    [[ -s $AOT ]] || die "no AOT cache was written"
    "$JAVA_AOT" "${aot_flags[@]}" -XX:AOTMode=on -XX:AOTCache="$AOT" -jar "$JAR" --version >/dev/null \
        2>"$OUT/aot-check.err" \
        || { cat "$OUT/aot-check.err" >&2; die "the AOT cache $AOT does not map (-XX:AOTMode=on refused it)"; }
else
    echo "no Java 25 or later in /usr/lib/jvm (or JAVA_AOT): the aot variant is left out"
fi

if [[ -n ${BASELINE_JAR:-} ]]; then
    echo "making the baseline jar's archives the same way"
    java "${tuned[@]}" -XX:ArchiveClassesAtExit="$BASE_JSA" -jar "$BASE_JAR" discover >/dev/null 2>&1 || true
    [[ -s $BASE_JSA ]] || die "no archive was written for the baseline jar"
    if [[ -n ${JAVA_AOT:-} ]]; then
        "$JAVA_AOT" "${aot_flags[@]}" -XX:AOTCacheOutput="$BASE_AOT" -jar "$BASE_JAR" discover >/dev/null 2>&1 || true
        [[ -s $BASE_AOT ]] || die "no AOT cache was written for the baseline jar"
    fi
fi

echo "checking that all ${#variants[@]} variants print the same $(wc -l <"$OUT/expected.txt") peers"
for v in "${variants[@]}"; do
    timed "$v" "$v" >/dev/null
    same_peers "$v"
done

{
    echo "# bench/discover.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# $(java -version 2>&1 | head -1); $("$aws_bin" --version 2>&1); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# group of $FLEET_SIZE tagged instances (+10 untagged, ASG of $ASG_SIZE) in moto; $RUNS runs each"
    echo "# tuned = java $TUNED_FLAGS -XX:SharedArchiveFile=$JSA"
    [[ -n ${JAVA_AOT:-} ]] && echo "# aot = $JAVA_AOT ($("$JAVA_AOT" -version 2>&1 | head -1)) ${aot_flags[*]} -XX:AOTCache=$AOT"
} >"$OUT/results.txt"
cat "$OUT/results.txt"

echo "timing $RUNS rounds of: ${variants[*]}"
echo "round,variant,ms" >"$OUT/timings.csv"
for r in $(seq "$RUNS"); do
    line="round $r:"
    for v in "${variants[@]}"; do
        ms=$(timed "$v" "$v")
        same_peers "$v"
        echo "$ms" >>"$OUT/$v.ms"
        echo "$r,$v,$ms" >>"$OUT/timings.csv"
        line+=" $v ${ms} ms"
    done
    echo "$line"
done

med_pipeline=$(median "$OUT/pipeline.ms")
med_plain=$(median "$OUT/plain.ms")
med_tuned=$(median "$OUT/tuned.ms")
med_bare=$(median "$OUT/bare.ms")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
ratio_plain=$(ratio "$med_pipeline" "$med_plain")
ratio_tuned=$(ratio "$med_pipeline" "$med_tuned")
ratio_bare=$(ratio "$med_pipeline" "$med_bare")
if [[ -n ${JAVA_AOT:-} ]]; then
    med_aot=$(median "$OUT/aot.ms")
    ratio_aot=$(ratio "$med_pipeline" "$med_aot")
    med_plain25=$(median "$OUT/plain25.ms")
    ratio_plain25=$(ratio "$med_pipeline" "$med_plain25")
    med_bare25=$(median "$OUT/bare25.ms")
    ratio_bare25=$(ratio "$med_pipeline" "$med_bare25")
fi

verdict() { # verdict CONDITION...: "met" or "NOT MET" (STRICT=1 looks for the latter in results.txt)
    if "$@"; then echo "met"; else echo "NOT MET"; fi
}

log ""
log "cold discovery, median of $RUNS runs (group of $FLEET_SIZE):"
log "  a. pipeline (curl + aws CLI)   $(printf '%6d' "$med_pipeline") ms"
log "  b. plain    (java -jar)        $(printf '%6d' "$med_plain") ms   relaunched with the archive beside the jar"
log "  f. bare     (java -jar)        $(printf '%6d' "$med_bare") ms   no archive beside the jar"
log "  c. tuned    (flags + AppCDS)   $(printf '%6d' "$med_tuned") ms   java on PATH"
if [[ -n ${JAVA_AOT:-} ]]; then
    log "  d. aot      (flags + AOT cache) $(printf '%5d' "$med_aot") ms   $JAVA_AOT"
    log "  e. plain25  (java -jar)        $(printf '%6d' "$med_plain25") ms   $JAVA_AOT, relaunched with the AOT cache"
    log "  g. bare25   (java -jar)        $(printf '%6d' "$med_bare25") ms   $JAVA_AOT, no archive"
fi
if [[ -n ${BASELINE_JAR:-} ]]; then
    for v in plain tuned aot; do
        [[ -f $OUT/$v-base.ms ]] || continue
        log "  $(printf '%-5s' "$v") with BASELINE_JAR  $(printf '%6d' "$(median "$OUT/$v-base.ms")") ms   (this jar: $(median "$OUT/$v.ms") ms)"
    done
fi
log "  pipeline/plain = ${ratio_plain}x   goal >= 1x: $(verdict at_least "$ratio_plain" 1)"
log "  pipeline/bare  = ${ratio_bare}x   (no archive to relaunch with)"
log "  pipeline/tuned = ${ratio_tuned}x   goal >= 3x: $(verdict at_least "$ratio_tuned" 3)"
if [[ -n ${JAVA_AOT:-} ]]; then
    log "  pipeline/aot   = ${ratio_aot}x   goal >= 3x: $(verdict at_least "$ratio_aot" 3)"
    log "  pipeline/plain25 = ${ratio_plain25}x goal >= 1x: $(verdict at_least "$ratio_plain25" 1)"
    log "  pipeline/bare25  = ${ratio_bare25}x (no archive to relaunch with)"
fi

# --- AWS API calls of one discovery, from moto's request log ---------------------------------------------

# moto (werkzeug) logs one line per request; every AWS API call is a "POST /" (query protocol).
api_lines() {
    grep -c '"POST / HTTP' "$OUT/moto.log" || true
}

# calls COMMAND...: the number of AWS API calls the command made.
calls() {
    local before after settled
    before=$(api_lines)
    "$@" >"$OUT/runs/calls.out" 2>"$OUT/runs/calls.err" || {
        cat "$OUT/runs/calls.err" >&2
        die "$* failed"
    }
    # the log line is written after the response is sent: let it land
    after=$(api_lines)
    for _ in 1 2 3 4 5; do
        sleep 0.2
        settled=$(api_lines)
        [[ $settled == "$after" ]] && break
        after=$settled
    done
    echo $((after - before))
}

tag_calls=$(calls plain)
tag_calls_off=$(calls java -jar "$JAR" discover --instance-id "$self_id" --region "$REGION")
pipeline_calls=$(calls pipeline)
be "$asg_id" "$asg_ip"
asg_calls=$(calls plain)
grep -q '"kind": "asg"' <(java -jar "$JAR" discover -o json) || die "the ASG instance was not discovered by its ASG"
asg_calls_off=$(calls java -jar "$JAR" discover --instance-id "$asg_id" --region "$REGION")

log ""
log "AWS API calls of one discovery (moto request log):"
log "  tag mode (on-instance, IMDS)            $tag_calls   goal <= 2: $(verdict test "$tag_calls" -le 2)"
log "  ASG mode (on-instance, IMDS, ASG of $ASG_SIZE)  $asg_calls   goal <= 3: $(verdict test "$asg_calls" -le 3)"
log "  tag mode, off-instance (--instance-id)  $tag_calls_off"
log "  ASG mode, off-instance (--instance-id)  $asg_calls_off"
log "  the pipeline (a), tag mode              $pipeline_calls"

# --- optional: why these flags ------------------------------------------------------------------------------

# explore_flags JAVA NAME FLAGS...: RUNS interleaved rounds of discover on JAVA with each flag set (one string
# each), every run checked for the expected peers; logs the medians, fastest first.
explore_flags() {
    local java_bin=$1 name=$2 k
    shift 2
    local sets=("$@") flags
    for k in "${!sets[@]}"; do
        : >"$OUT/$name-$k.ms"
    done
    echo "timing $RUNS interleaved rounds of ${#sets[@]} flag sets on $java_bin"
    for _ in $(seq "$RUNS"); do
        for k in "${!sets[@]}"; do
            read -r -a flags <<<"${sets[$k]}"
            timed "$name-$k" "$java_bin" "${flags[@]}" -jar "$JAR" discover >>"$OUT/$name-$k.ms"
            same_peers "$name-$k"
        done
    done
    log ""
    log "candidate JVM flag sets on $java_bin (median of $RUNS, fastest first):"
    for k in "${!sets[@]}"; do
        printf '  %6d ms  %s\n' "$(median "$OUT/$name-$k.ms")" "${sets[$k]}"
    done | sort -n | tee -a "$OUT/results.txt"
}

if [[ $EXPLORE == 1 ]]; then
    be "$self_id" "$self_ip"
    echo "making a static AppCDS archive for comparison (-XX:DumpLoadedClassList + -Xshare:dump)"
    java -XX:DumpLoadedClassList="$OUT/classes.lst" -jar "$JAR" discover >/dev/null
    java -Xshare:dump -XX:SharedClassListFile="$OUT/classes.lst" -XX:SharedArchiveFile="$OUT/static.jsa" \
        -cp "$JAR" >"$OUT/static-dump.log" 2>&1 || die "static archive dump failed (see $OUT/static-dump.log)"
    candidates=(
        "-XX:SharedArchiveFile=$JSA"
        "-XX:TieredStopAtLevel=1 -XX:SharedArchiveFile=$JSA"
        "-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:SharedArchiveFile=$JSA"
        "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:SharedArchiveFile=$JSA"
        "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1 -XX:SharedArchiveFile=$JSA"
        "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1 -XX:-UsePerfData -XX:SharedArchiveFile=$JSA"
        "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1 -XX:SharedArchiveFile=$OUT/static.jsa"
        "$TUNED_FLAGS -XX:SharedArchiveFile=$JSA"
    )
    explore_flags java candidate "${candidates[@]}"
    if [[ -n ${JAVA_AOT:-} ]]; then
        # The same question for the AOT cache, each set against the tuned one (the first): the compiler's
        # threads and thresholds, the cache's classes loaded lazily (a cache made with -XX:-AOTClassLinking),
        # mapped at its own address, the experimental eager compilation of what the training compiled, and no
        # compiler at all (-Xint: C1 alone takes a third of the CPU).
        echo "making an AOT cache without AOT class linking for comparison"
        "$JAVA_AOT" "${aot_flags[@]}" -XX:-AOTClassLinking -XX:AOTCacheOutput="$OUT/nolink.aot" -jar "$JAR" discover \
            >/dev/null 2>"$OUT/nolink-dump.log" || die "the AOT training run without class linking failed"
        aot_base="${aot_flags[*]} -XX:AOTCache=$AOT"
        aot_candidates=(
            "$aot_base"
            "${aot_base/-XX:CICompilerCount=1/-XX:CICompilerCount=2}"
            "$aot_base -XX:CompileThresholdScaling=0.25"
            "$aot_base -XX:CompileThresholdScaling=4"
            "${aot_flags[*]} -XX:AOTCache=$OUT/nolink.aot"
            "$aot_base -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0"
            "$aot_base -XX:+UnlockExperimentalVMOptions -XX:+AOTCompileEagerly"
            "$aot_base -Xint"
        )
        explore_flags "$JAVA_AOT" aot-candidate "${aot_candidates[@]}"
    fi
fi

log ""
log "results: $OUT/results.txt, per-run times: $OUT/timings.csv"
if [[ $STRICT == 1 ]] && grep -q 'NOT MET' "$OUT/results.txt"; then
    exit 1
fi
