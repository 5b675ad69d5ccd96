#!/usr/bin/env bash
# demo.sh: the agent end to end on this machine, no AWS account and no Docker needed (about a minute).
#
# Starts a local AWS emulator (moto_server) on a free loopback port and creates sample fleets in it.
#
# 1. discover, the debugging command: a group of 4 instances tagged nholuongut:peerGroupName=demo, an Auto
#    Scaling Group of 3 and one instance in no group; one instance of each kind is played through a local
#    IMDSv2 fixture and `java -jar target/agent.jar discover` runs as it would at boot.
# 2. run, the daemon (the product's main job): three instances tagged nholuongut:peerGroupName=net, each
#    with its own agent, IMDS fixture, state directory and stand-in nholuongut/scope tools (the tests' model
#    of the real scripts, src/test/resources/fake-tool.py). Narrated step by step, with each agent's log
#    lines prefixed by its instance id: the three launches with --ipalloc-init consensus=3; a scale-out (the
#    new member's launch, connect --replace on the others); a scale-in by Auto Scaling (the leaving member's
#    target lifecycle state is Terminated: it runs nholuongut reset and hands its address space over, so
#    nobody runs rmpeer); a scale-in without warning (forget, and the lowest-id survivor's rmpeer of the
#    vanished router); AWS unreachable for a moment (a proxy refuses connections: the agents
#    keep their peers, log one WARN each, recover); then what each router ended with. Each step is checked
#    (the routers' targets, who ran rmpeer), so the demo fails loudly if the agent misbehaves.
#
# Every process it starts is stopped on exit, also on Ctrl-C. KEEP_WORK=1 keeps its directory (each agent's
# log, its tools' calls and its router's state) for a look afterwards; VERBOSE=1 runs the agents with --verbose.
# Needs: bash 4.4+, java 17+, python3 with boto3, moto_server (pip install 'moto[server]'), curl.
# Nothing leaves 127.0.0.1: AWS_ENDPOINT_URL points at moto (or the proxy in front of it), the metadata
# endpoints at the fixtures, credentials are fake, and the addresses moto hands out (10.x) are only data,
# given to the stand-in tools and never contacted.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
readonly JAR=target/agent.jar # relative: the script runs from the repository root
readonly REGION=us-east-1
readonly TAG=nholuongut:peerGroupName

bold=''
reset=''
if [[ -t 1 ]]; then
    bold=$'\e[1m'
    reset=$'\e[0m'
fi

header() {
    printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"
}

show() {
    # Prints the command (as a user would type it on the instance) then runs it.
    printf '%s$ %s%s\n' "$bold" "$*" "$reset"
    "$@"
}

PROG=demo.sh
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# shellcheck source=scripts/demo-agents.sh
source scripts/demo-agents.sh
require java python3 moto_server curl
python3 -c 'import boto3' 2>/dev/null || die "python3 cannot import boto3"

proxy_pid=''
work=$(mktemp -d "${TMPDIR:-/tmp}/nholuongut-demo.XXXXXX")


cleanup() {
    local status=$?
    trap '' INT TERM # a second Ctrl-C must not abandon the clean-up half way
    stop_agents
    stop_pid "$proxy_pid"
    stop_pid "$imds_pid"
    stop_pid "$moto_pid"
    if [[ ${KEEP_WORK:-0} == 1 ]]; then
        echo "kept $work (the agents' logs, tools' calls and routers' state are under agents/)" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


# Everything the agent, the AWS CLI and boto3 could read points at this machine.
mkdir -p "$work/config" "$work/aws"
: >"$work/aws/config"
: >"$work/aws/credentials"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=$REGION AWS_DEFAULT_REGION=$REGION
export AWS_CONFIG_FILE=$work/aws/config AWS_SHARED_CREDENTIALS_FILE=$work/aws/credentials
export NHOLUONGUT_CONFIG_DIR=$work/config
# Until the fixture runs, the metadata endpoint is a closed loopback port (never 169.254.169.254), and
# the SDKs' own credential/region look-ups must not try IMDS at all (the agent's IMDS client ignores this).
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9 AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_EC2 AWS_ENDPOINT_URL_AUTO_SCALING

start=$(date +%s)

if [[ ! -f $JAR ]]; then
    header "Building target/agent.jar (./mvnw -B -q package -DskipTests)"
    ./mvnw -B -q package -DskipTests
fi

header "Starting the AWS emulator (moto_server) on a free loopback port"
start_moto "$work"
moto_endpoint=$AWS_ENDPOINT_URL
echo "moto_server listening on $AWS_ENDPOINT_URL"

header "Creating a sample fleet: 4 instances tagged $TAG=demo, an Auto Scaling Group 'demo-asg' of 3, 1 in no group"
python3 scripts/sample-fleet.py --endpoint "$AWS_ENDPOINT_URL" --region "$REGION" \
    --tagged 4 --tag-key "$TAG" --tag-value demo --asg demo-asg --asg-size 3 --untagged 1 >"$work/fleet.txt"
printf '%-9s %-20s %s\n' GROUP INSTANCE PRIVATE_IP
while read -r kind id address; do
    case $kind in
        tagged) group="tag demo" ;;
        asg) group="demo-asg" ;;
        *) group="(none)" ;;
    esac
    printf '%-9s %-20s %s\n' "$group" "$id" "$address"
done <"$work/fleet.txt"

pick() { # pick KIND N: "ID ADDRESS" of the Nth instance of that kind
    awk -v kind="$1" -v n="$2" '$1 == kind && ++seen == n { print $2, $3 }' "$work/fleet.txt"
}
read -r tagged_id tagged_ip < <(pick tagged 1)
read -r asg_id asg_ip < <(pick asg 1)
read -r lone_id _ < <(pick untagged 1)

# be INSTANCE_ID PRIVATE_IP: (re)starts the IMDSv2 fixture so that it answers as that instance.
be() {
    start_imds "$work" "$1" "$REGION" "$2"
}

header "On tagged instance $tagged_id ($tagged_ip): identity from IMDSv2, group from its tag"
be "$tagged_id" "$tagged_ip"
echo "(IMDS fixture at $AWS_EC2_METADATA_SERVICE_ENDPOINT answers as $tagged_id)"
echo "-- text: one peer address a line, ready for \`nholuongut launch \$(java -jar agent.jar discover)\`"
show java -jar "$JAR" discover
echo "-- json"
show java -jar "$JAR" discover -o json

header "On Auto Scaling Group instance $asg_id ($asg_ip): no tag, so the group is its ASG"
be "$asg_id" "$asg_ip"
echo "(IMDS fixture at $AWS_EC2_METADATA_SERVICE_ENDPOINT answers as $asg_id)"
show java -jar "$JAR" discover -o json

header "An instance in no group ($lone_id): exit 3 with a hint"
set +e
show java -jar "$JAR" discover --instance-id "$lone_id" --region "$REGION" 2>&1
code=$?
set -e
echo "(exit code $code)"
[[ $code -eq 3 ]] || die "expected exit code 3 for an instance in no group, got $code"

# --- the daemon ------------------------------------------------------------------------------------------

header "The daemon: three instances of group $TAG=net boot together, each running \`agent.jar run\`"
echo "Each has its own IMDS fixture, state directory and stand-in nholuongut/scope tools (the tests' model of"
echo "the real scripts: a router that keeps its targets); AWS is reached through a proxy that can fail on cue."
echo "The refresh interval is $AGENT_INTERVAL for the demo (60 s by default; the agents warn that it is short)."
python3 scripts/sample-fleet.py --endpoint "$AWS_ENDPOINT_URL" --region "$REGION" \
    --tagged 3 --tag-key "$TAG" --tag-value net >"$work/net.txt"
start_port_server "$work" proxy "the outage proxy" python3 scripts/outage-proxy.py "${AWS_ENDPOINT_URL##*:}"
proxy_pid=$server_pid
export AWS_ENDPOINT_URL=http://127.0.0.1:$server_port
while read -r _ id address; do
    start_agent "$id" "$address"
done <"$work/net.txt"
first=("${agents[@]}")

wait_for "the three launches" 90 mesh_of "${first[@]}"
show_logs
for id in "${first[@]}"; do
    [[ $(router "$id" init) == consensus=3 ]] || die "$id launched Net with $(router "$id" init), not consensus=3"
    echo "-> $id: nholuongut launch --ipalloc-init $(router "$id" init) $(router "$id" targets)"
done

header "Scale-out: a fourth instance joins the group"
read -r _ new_id new_ip < <(python3 scripts/sample-fleet.py --endpoint "${moto_endpoint}" --region "$REGION" \
    --tagged 1 --tag-key "$TAG" --tag-value net)
start_agent "$new_id" "$new_ip"
members=("${agents[@]}")
wait_for "the scale-out" 60 mesh_of "${members[@]}"
show_logs
[[ $(router "$new_id" init) == consensus=4 ]] || die "$new_id launched Net with $(router "$new_id" init)"
echo "-> $new_id launched with its 3 peers (consensus=4); the others ran connect --replace with 3 peers each"

header "Scale-in by Auto Scaling: the leaving member hands its address space over before it goes"
leaver=$(printf '%s\n' "${members[@]}" | sort | sed -n 2p)
leaver_router=$(cut -d' ' -f1 "${agent_dir[$leaver]}/bin/router")
echo Terminated >"${agent_dir[$leaver]}/target-lifecycle-state"
echo "Auto Scaling set $leaver's target lifecycle state to Terminated; the instance shuts down (SIGTERM)"
stop_agent "$leaver"
python3 scripts/sample-fleet.py --endpoint "${moto_endpoint}" --region "$REGION" --terminate "$leaver"
staying=()
for id in "${members[@]}"; do [[ $id == "$leaver" ]] || staying+=("$id"); done
wait_for "the others to forget it" 60 mesh_of "${staying[@]}"
show_logs
ran "$leaver" nholuongut reset || die "$leaver did not run nholuongut reset"
grep -q '"owns": 0' "$work/mesh/$leaver_router.json" || die "the leaving router still owns its address space"
for id in "${staying[@]}"; do
    ! ran "$id" nholuongut rmpeer "$leaver_router" || die "$id ran rmpeer of a router that handed its space over"
done
echo "-> $leaver ran nholuongut reset: its router $leaver_router handed its space to a survivor and stopped;"
echo "   nobody needs to run rmpeer for it"
members=("${staying[@]}")

header "Scale-in without warning: one instance vanishes (its router goes with the host, no reset)"
victim=$(printf '%s\n' "${members[@]}" | sort | tail -n 1)
survivors=()
for id in "${members[@]}"; do [[ $id == "$victim" ]] || survivors+=("$id"); done
lowest=$(printf '%s\n' "${survivors[@]}" | sort | head -n 1)
victim_router=$(cut -d' ' -f1 "${agent_dir[$victim]}/bin/router")
stop_agent "$victim"
"${agent_dir[$victim]}/bin/nholuongut" stop
python3 scripts/sample-fleet.py --endpoint "${moto_endpoint}" --region "$REGION" --terminate "$victim"
echo "terminated $victim (${agent_ip[$victim]}, router $victim_router)"
scaled_in() {
    mesh_of "${survivors[@]}" && ran "$lowest" nholuongut rmpeer "$victim_router"
}
wait_for "the scale-in and the reclaim" 90 scaled_in
show_logs
grep -q '"owns": 0' "$work/mesh/$victim_router.json" || die "the departed router still owns its address space"
echo "-> every survivor forgot ${agent_ip[$victim]}; $lowest (the lowest instance id) alone ran rmpeer"
echo "   $victim_router, so the departed router's address space is the group's again"
for id in "${survivors[@]}"; do
    [[ $id == "$lowest" ]] || ! ran "$id" nholuongut rmpeer "$victim_router" || die "$id ran rmpeer too"
done

header "AWS unreachable for a moment: the agents keep their peers"
kill -USR1 "$proxy_pid"
warned() {
    local id
    for id in "${survivors[@]}"; do grep -q 'WARN.*discovery failed' "${agent_dir[$id]}/agent.log" || return 1; done
}
wait_for "the agents to notice" 30 warned
sleep 4
show_logs
mesh_of "${survivors[@]}" || die "an agent lost its peers in the outage"
for id in "${survivors[@]}"; do
    (($(grep -c 'WARN.*discovery failed' "${agent_dir[$id]}/agent.log") == 1)) || die "$id warned more than once"
done
echo "-> one WARN each, peers kept; AWS answers again:"
kill -USR2 "$proxy_pid"
recovered() {
    local id
    for id in "${survivors[@]}"; do grep -q 'discovery works again' "${agent_dir[$id]}/agent.log" || return 1; done
}
wait_for "the agents to recover" 90 recovered
show_logs

header "What each router ended with"
summary

header "Done in $(($(date +%s) - start)) s; stopping the agents, the fixtures, the proxy and moto_server"
