#!/usr/bin/env bash
# Builds the nholuongut ECS AMI (packer/nholuongut-ecs.pkr.hcl) in every region at once, or in ONLY_REGION,
# and writes the new AMI ids into the README's `| Region | AMI |` table (packer/ami-table.sh): regions that
# failed keep their old row. Optionally makes the new AMIs public.
#
#   NET_VERSION=... NET_SHA256=... SCOPE_VERSION=... SCOPE_SHA256=... packer/build-all-amis.sh [--public]
#
# Environment:
#   NET_VERSION, NET_SHA256, SCOPE_VERSION, SCOPE_SHA256   required: the versions of nholuongut Net and
#                    Scope to install and the SHA-256 of their scripts (from their release notes)
#   ONLY_REGION      build only this region
#   REGIONS          the regions to build (default: the 11 regions of the original image)
#   PUBLIC=1         same as --public: give every account launch permission on the new AMIs (the account's
#                    "block public access for AMIs" setting must be off)
#   PACKER_ARGS      more arguments for `packer build` (split on spaces), e.g. "-var instance_type=t3.medium"
#   AGENT_JAR        the agent to install (default target/agent.jar: run ./mvnw -B package first)
#   README           the README to update (default README.md of this repository)
#   OUT              where logs and manifests go (default packer/out; one directory per run)
#   PACKER, AWS      the packer and aws commands (default: packer and aws from PATH)
# AWS credentials and profile come from the usual AWS_* variables, for packer and the aws CLI alike.
#
# Exit codes: 0 every region built, 1 a region failed (see its log; the README has the others), 2 usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

readonly DEFAULT_REGIONS="us-east-1 us-east-2 us-west-1 us-west-2 eu-west-1 eu-west-2 eu-central-1 ap-northeast-1 ap-southeast-1 ap-southeast-2 ca-central-1"

die() {
    printf 'build-all-amis.sh: %s\n' "$1" >&2
    exit "${2:-2}"
}

public=${PUBLIC:-0}
for arg in "$@"; do
    case $arg in
        --public) public=1 ;;
        -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown argument '$arg' (usage: build-all-amis.sh [--public])" ;;
    esac
done
[[ $public == 0 || $public == 1 ]] || die "PUBLIC must be 0 or 1"

for var in NET_VERSION NET_SHA256 SCOPE_VERSION SCOPE_SHA256; do
    [[ -n ${!var:-} ]] || die "$var is required (see the README, \"Building your own AMI\")"
done

read -r -a regions <<<"${REGIONS:-$DEFAULT_REGIONS}"
if [[ -n ${ONLY_REGION:-} ]]; then
    regions=("$ONLY_REGION")
fi
((${#regions[@]} > 0)) || die "no region to build"
for region in "${regions[@]}"; do
    [[ $region =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || die "'$region' is not an AWS region name"
done

packer_cmd=${PACKER:-packer}
aws_cmd=${AWS:-aws}
agent_jar=${AGENT_JAR:-$root/target/agent.jar}
readme=${README:-$root/README.md}
read -r -a packer_args <<<"${PACKER_ARGS:-}"

command -v "$packer_cmd" >/dev/null || die "cannot find packer ('$packer_cmd'): install Packer 1.8 or newer"
if ((public)); then
    command -v "$aws_cmd" >/dev/null || die "cannot find the AWS CLI ('$aws_cmd'), needed for --public"
fi
[[ -r $agent_jar ]] || die "no agent jar at $agent_jar: run ./mvnw -B package first"
[[ -w $readme ]] || die "cannot write $readme"
agent_jar=$(cd "$(dirname "$agent_jar")" && pwd)/$(basename "$agent_jar")

run_dir=${OUT:-$here/out}/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$run_dir"
run_dir=$(cd "$run_dir" && pwd)

echo "Installing the Packer plugins (packer init)"
"$packer_cmd" init "$here" >"$run_dir/init.log" 2>&1 || {
    cat "$run_dir/init.log" >&2
    die "packer init failed" 1
}

echo "Building ${#regions[@]} region(s) at once: ${regions[*]}; logs in $run_dir"
pids=()
for region in "${regions[@]}"; do
    "$packer_cmd" build -color=false \
        -var "region=$region" \
        -var "manifest_path=$run_dir/$region.manifest.json" \
        -var "agent_jar=$agent_jar" \
        -var "net_version=$NET_VERSION" -var "net_sha256=$NET_SHA256" \
        -var "scope_version=$SCOPE_VERSION" -var "scope_sha256=$SCOPE_SHA256" \
        ${packer_args[@]+"${packer_args[@]}"} \
        "$here" >"$run_dir/$region.log" 2>&1 &
    pids+=($!)
done

built=()
failed=()
for i in "${!regions[@]}"; do
    region=${regions[i]}
    if wait "${pids[i]}" && [[ -s $run_dir/$region.manifest.json ]]; then
        built+=("$region")
    else
        failed+=("$region")
    fi
done

# Each built region's AMI; with --public, only those that could be made public go into the README.
listed=()
: >"$run_dir/amis.txt"
for region in ${built[@]+"${built[@]}"}; do
    manifest=$run_dir/$region.manifest.json
    ami=$("$here/ami-table.sh" --list "$manifest" | awk -v r="$region" '$1 == r { print $2 }')
    if [[ -z $ami ]]; then
        echo "$region: no AMI of this region in $manifest" >&2
        failed+=("$region")
        continue
    fi
    if ((public)); then
        if ! "$aws_cmd" ec2 modify-image-attribute --region "$region" --image-id "$ami" \
            --launch-permission 'Add=[{Group=all}]'; then
            echo "$region: could not make $ami public; it stays out of the README" >&2
            failed+=("$region (public)")
            continue
        fi
        ami="$ami (public)"
    fi
    echo "$region $ami" >>"$run_dir/amis.txt"
    listed+=("$manifest")
done
if ((${#listed[@]} > 0)); then
    "$here/ami-table.sh" -i "$readme" "${listed[@]}"
fi

echo
for region in "${regions[@]}"; do
    ami=$(awk -v r="$region" '$1 == r { $1 = ""; print substr($0, 2) }' "$run_dir/amis.txt")
    echo "$region: ${ami:-FAILED, see $run_dir/$region.log}"
done
if ((${#failed[@]} > 0)); then
    echo "Failed: ${failed[*]}; $readme keeps their old rows." >&2
    exit 1
fi
echo "Done: $readme lists the new AMIs."
