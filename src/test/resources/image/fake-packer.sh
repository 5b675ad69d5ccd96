#!/usr/bin/env bash
# A stand-in for `packer` in tests of packer/build-all-amis.sh: appends its argv (one line, words separated
# by tabs) to packer-calls.log beside it. `init` succeeds. `build` with -var region=R and
# -var manifest_path=M writes a manifest as Packer's manifest post-processor would, for the AMI
# ami-0<first 16 hex digits of sha256(R)>, unless R is in FAIL_REGIONS (separated by spaces): then it fails.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
(IFS=$'\t'; printf '%s\n' "$*") >>"$here/packer-calls.log"

case ${1:-} in
    init) exit 0 ;;
    build) ;;
    *) echo "fake packer: unexpected command '${1:-}'" >&2; exit 2 ;;
esac

region=''
manifest=''
while (($# > 0)); do
    if [[ $1 == -var ]]; then
        case $2 in
            region=*) region=${2#region=} ;;
            manifest_path=*) manifest=${2#manifest_path=} ;;
        esac
        shift 2
    else
        shift
    fi
done
[[ -n $region && -n $manifest ]] || { echo "fake packer: region or manifest_path missing" >&2; exit 2; }
for failing in ${FAIL_REGIONS:-}; do
    if [[ $region == "$failing" ]]; then
        echo "==> amazon-ebs.nholuongut-ecs: Error launching source instance: failing on purpose in $region" >&2
        exit 1
    fi
done

ami=ami-0$(printf '%s' "$region" | sha256sum | cut -c1-16)
cat >"$manifest" <<JSON
{
  "builds": [
    {
      "name": "nholuongut-ecs",
      "builder_type": "amazon-ebs",
      "build_time": 1764400000,
      "files": null,
      "artifact_id": "$region:$ami",
      "packer_run_uuid": "00000000-0000-4000-8000-000000000000",
      "custom_data": {
        "region": "$region"
      }
    }
  ],
  "last_run_uuid": "00000000-0000-4000-8000-000000000000"
}
JSON
echo "--> amazon-ebs.nholuongut-ecs: AMIs were created:"
echo "$region: $ami"
