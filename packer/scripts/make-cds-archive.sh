#!/usr/bin/env bash
# Makes the agent's JVM class-data archive (AppCDS, dynamic archive) for the installed JVM and jar: what
# makes the agent start in about half the time (see bench/discover.sh). Run by the Packer build on the
# image, and again by hand after replacing agent.jar or updating Java (a stale archive is ignored, not fatal):
#
#   sudo /usr/local/lib/nholuongut/make-cds-archive.sh && sudo systemctl restart nholuongut-agent
#
# The JVM flags, the jar and the archive's path are read from the unit's ExecStart= line, so that the
# archive is made exactly as it will be used. A training run of `run` loads what a real run loads: AWS
# discovery against a closed loopback port (no AWS call leaves the machine), then the tool calls, with
# /bin/true as both tools; SIGTERM ends it and the JVM writes the archive. The result must then load with
# -Xshare:on, or nothing is installed.
#
# Usage: make-cds-archive.sh [UNIT_FILE]   (default /etc/systemd/system/nholuongut-agent.service)
# Environment: JAVA, JAR, ARCHIVE replace the unit's values; CONFIG_DIR (/etc/nholuongut) is copied for the
# training run; TRAINING_TIMEOUT (90) bounds it in seconds.
set -euo pipefail

unit=${1:-/etc/systemd/system/nholuongut-agent.service}
config_dir=${CONFIG_DIR:-/etc/nholuongut}
timeout=${TRAINING_TIMEOUT:-90}

die() {
    printf 'make-cds-archive: %s\n' "$*" >&2
    exit 1
}

[[ -r $unit ]] || die "cannot read $unit"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "TRAINING_TIMEOUT must be a positive number of seconds"

# ExecStart= with its continuation lines joined.
exec_start=$(awk '
    /^[[:space:]]*[#;]/ { next }
    { line = $0; continued = sub(/\\[[:space:]]*$/, "", line); buf = buf line " " }
    !continued { if (buf ~ /^ExecStart=/) { sub(/^ExecStart=[-@:+!]*/, "", buf); print buf; exit } buf = "" }
' "$unit")
[[ -n $exec_start ]] || die "no ExecStart= in $unit"
read -r -a argv <<<"$exec_start"

java=${argv[0]}
opts=()
jar=''
archive=''
for ((i = 1; i < ${#argv[@]}; i++)); do
    case ${argv[i]} in
        -jar) jar=${argv[i + 1]:-}; break ;;
        -XX:SharedArchiveFile=*) archive=${argv[i]#*=} ;;
        -Xshare:*) ;;
        *) opts+=("${argv[i]}") ;;
    esac
done
java=${JAVA:-$java}
jar=${JAR:-$jar}
archive=${ARCHIVE:-$archive}
[[ -n $jar ]] || die "no -jar in ExecStart= of $unit"
[[ -n $archive ]] || die "no -XX:SharedArchiveFile= in ExecStart= of $unit"
[[ -x $java ]] || die "$java is not executable"
[[ -r $jar ]] || die "cannot read $jar"

# A dynamic archive sits on top of the JDK's base archive; make that one if the package did not.
if ! "$java" -Xshare:on -version >/dev/null 2>&1; then
    echo "make-cds-archive: creating the JDK's base class-data archive"
    "$java" -Xshare:dump >/dev/null
fi

work=$(mktemp -d)
pid=''
cleanup() {
    if [[ -n $pid ]]; then
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/etc" "$work/state"
if [[ -d $config_dir ]]; then
    find "$config_dir" -maxdepth 1 -name '*.config' -exec cp {} "$work/etc/" \;
fi
# Stand-ins for nholuongut and scope: Net "not running yet" (status exits 1), every other call succeeds. With
# AWS unreachable a fresh instance launches nothing (no lone Net), so the run starts from saved peers, as a
# reboot does: launch Net, then Scope (SCOPE_APPS=all, since saved peers carry no instance ids).
printf '{"version": 1, "members": 2, "peers": ["127.0.0.2"]}\n' >"$work/state/peers.json"
cat >"$work/tool" <<'TOOL'
#!/bin/sh
[ "${1:-}" = status ] && exit 1
exit 0
TOOL
chmod +x "$work/tool"
no_op=$work/tool

echo "make-cds-archive: training run of $jar with $java ${opts[*]}"
env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$work" LANG=C.UTF-8 \
    AWS_ACCESS_KEY_ID=training AWS_SECRET_ACCESS_KEY=training AWS_REGION=us-east-1 \
    AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9 \
    AWS_EC2_METADATA_DISABLED=true \
    "$java" "${opts[@]}" -XX:ArchiveClassesAtExit="$work/agent.jsa" -jar "$jar" run \
    --config-dir "$work/etc" --instance-id i-00000000000000000 --region us-east-1 \
    --set PEERS= --set DISCOVERY=auto --set SCOPE_ENABLED=true --set SERVICE_TOKEN= \
    --set NET_BIN="$no_op" --set SCOPE_BIN="$no_op" --set STATE_DIR="$work/state" --set SCOPE_APPS=all \
    >"$work/run.log" 2>&1 &
pid=$!

# Done once Scope has been launched (the last step of a boot), the process has ended, or time is up.
for ((waited = 0; waited < timeout * 5; waited++)); do
    if grep -q -- 'launch --probe' "$work/run.log" || ! kill -0 "$pid" 2>/dev/null; then
        break
    fi
    sleep 0.2
done
kill -TERM "$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?
pid=''
if ((status != 0)) || [[ ! -s $work/agent.jsa ]]; then
    cat "$work/run.log" >&2
    die "the training run ended with exit code $status and no archive"
fi

if ! "$java" "${opts[@]}" -XX:SharedArchiveFile="$work/agent.jsa" -Xshare:on -jar "$jar" --version \
    >/dev/null 2>"$work/check.log"; then
    cat "$work/check.log" >&2
    die "the new archive does not load with -Xshare:on"
fi

mkdir -p "$(dirname "$archive")"
install -m 0644 "$work/agent.jsa" "$archive.new"
mv -f "$archive.new" "$archive"
echo "make-cds-archive: wrote $archive ($(du -h "$archive" | cut -f1))"
