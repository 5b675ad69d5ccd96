#!/usr/bin/env bash
# A stand-in for the AWS CLI in tests of packer/build-all-amis.sh: appends its argv (one line, words
# separated by tabs) to aws-calls.log beside it and succeeds, or fails when FAIL_AWS=1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
(IFS=$'\t'; printf '%s\n' "$*") >>"$here/aws-calls.log"
if [[ ${FAIL_AWS:-0} == 1 ]]; then
    echo "An error occurred (UnauthorizedOperation) when calling the ModifyImageAttribute operation" >&2
    exit 254
fi
