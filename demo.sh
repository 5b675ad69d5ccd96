#!/usr/bin/env bash
# demo.sh: peer discovery end to end on this machine, no AWS account needed.
#
# Starts a local AWS emulator (moto_server) on a free loopback port, creates a sample fleet in it
# (a group of 4 instances tagged nholuongut:peerGroupName=demo, an Auto Scaling Group of 3 and one
# instance in no group), then plays one instance of each kind through a local IMDSv2 fixture and runs
# `java -jar target/agent.jar discover` (text and JSON) as that instance would at boot.
#
# Needs: java 17+, python3 with boto3, moto_server (pip install 'moto[server]'), curl.
# Nothing leaves 127.0.0.1: AWS_ENDPOINT_URL points at moto, the metadata endpoint at the fixture,
# credentials are fake, and the addresses moto hands out (10.x) are only printed, never contacted.
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
require java python3 moto_server curl
python3 -c 'import boto3' 2>/dev/null || die "python3 cannot import boto3"

work=$(mktemp -d "${TMPDIR:-/tmp}/nholuongut-demo.XXXXXX")


cleanup() {
    local status=$?
    stop_pid "$imds_pid"
    stop_pid "$moto_pid"
    rm -rf "$work"
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
echo "-- text"
show java -jar "$JAR" discover
echo "-- json"
show java -jar "$JAR" discover -o json

header "Off-instance debugging: --instance-id/--region instead of IMDS (own address from DescribeInstances)"
stop_pid "$imds_pid"
imds_pid=''
export AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9 # closed: proves IMDS is not asked
show java -jar "$JAR" discover --instance-id "$asg_id" --region "$REGION"

header "An instance in no group ($lone_id): exit 3 with a hint"
set +e
show java -jar "$JAR" discover --instance-id "$lone_id" --region "$REGION" 2>&1
code=$?
set -e
echo "(exit code $code)"
[[ $code -eq 3 ]] || die "expected exit code 3 for an instance in no group, got $code"

header "Done in $(($(date +%s) - start)) s; stopping moto_server and the IMDS fixture"
