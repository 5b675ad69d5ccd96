#!/usr/bin/env bash
# Makes the agent's JVM class-data archive for the installed JVM and jar: what makes the agent start in about
# half the time (see bench/discover.sh). On Java 25 and later that is an AOT cache (-XX:AOTCache, JEP 483/514/
# 515: classes loaded and linked ahead of time, method profiles); on Java 17 and 21 a dynamic AppCDS archive
# (-XX:SharedArchiveFile). Which one is read from the unit's ExecStart= line, as are the JVM flags, the jar
# and the archive's path, so that the archive is made exactly as it will be used. Run by the Packer build on
# the image, and again by hand after replacing agent.jar or updating Java (a stale archive is ignored, not
# fatal):
#
#   sudo /usr/local/lib/nholuongut/make-cds-archive.sh && sudo systemctl restart nholuongut-agent
#
# The training run is a real boot of `run` on a fresh instance: IMDSv2, the tag look-up, a two-page
# DescribeInstances, the launch of Net and Scope, a few refreshes. Its AWS is training-aws.py (beside this
# script): a stand-in on 127.0.0.1 answering with recorded responses (training/ beside it), so no AWS call
# leaves the machine. The tools are stand-ins too (Net "not running yet", every other call succeeds). SIGTERM
# ends the run and the JVM writes the archive, which must then load (-Xshare:on, or -XX:AOTMode=on), or
# nothing is installed.
#
# Usage: make-cds-archive.sh [UNIT_FILE]   (default /etc/systemd/system/nholuongut-agent.service)
#        make-cds-archive.sh --exec-start [UNIT_FILE]   prints the unit's ExecStart= command on one line (its
#        continuation lines joined, comments skipped) and exits: how bench/daemon.sh reads the same flags.
# Environment: JAVA, JAR, ARCHIVE replace the unit's values; CONFIG_DIR (/etc/nholuongut) is copied for the
# training run; TRAINING_TIMEOUT (90) bounds it in seconds.
set -euo pipefail

die() {
    printf 'make-cds-archive: %s\n' "$*" >&2
    exit 1
}

print_only=''
if [[ ${1:-} == --exec-start ]]; then
    print_only=1
    shift
fi
if (($# > 1)) || [[ ${1:-} == -* ]]; then
    die "usage: make-cds-archive.sh [--exec-start] [UNIT_FILE]"
fi
unit=${1:-/etc/systemd/system/nholuongut-agent.service}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
stand_in=$here/training-aws.py
recorded=$here/training
config_dir=${CONFIG_DIR:-/etc/nholuongut}
timeout=${TRAINING_TIMEOUT:-90}

# ExecStart= with its continuation lines joined.
exec_start() {
    awk '
        /^[[:space:]]*[#;]/ { next }
        { line = $0; continued = sub(/\\[[:space:]]*$/, "", line); buf = buf line " " }
        !continued { if (buf ~ /^ExecStart=/) { sub(/^ExecStart=[-@:+!]*/, "", buf); print buf; exit } buf = "" }
    ' "$unit"
}

[[ -r $unit ]] || die "cannot read $unit"
exec_start=$(exec_start)
[[ -n $exec_start ]] || die "no ExecStart= in $unit"
if [[ -n $print_only ]]; then
    printf '%s\n' "$exec_start"
    exit 0
fi

[[ -r $stand_in && -d $recorded ]] || die "the training stand-in ($stand_in, $recorded/) is missing"
command -v python3 >/dev/null || die "python3 is needed for the training stand-in"
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "TRAINING_TIMEOUT must be a positive number of seconds"
read -r -a argv <<<"$exec_start"

java=${argv[0]}
opts=()
jar=''
archive=''
kind=''
for ((i = 1; i < ${#argv[@]}; i++)); do
    case ${argv[i]} in
        -jar) jar=${argv[i + 1]:-}; break ;;
        -XX:SharedArchiveFile=*) archive=${argv[i]#*=}; kind=cds ;;
        -XX:AOTCache=*) archive=${argv[i]#*=}; kind=aot ;;
        -Xshare:* | -XX:AOTMode=*) ;;
        *) opts+=("${argv[i]}") ;;
    esac
done
java=${JAVA:-$java}
jar=${JAR:-$jar}
archive=${ARCHIVE:-$archive}
[[ -n $jar ]] || die "no -jar in ExecStart= of $unit"
[[ -n $archive ]] || die "no -XX:SharedArchiveFile= or -XX:AOTCache= in ExecStart= of $unit"
[[ -x $java ]] || die "$java is not executable"
[[ -r $jar ]] || die "cannot read $jar"

# A dynamic archive sits on top of the JDK's base archive; make that one if the package did not.
if [[ $kind == cds ]] && ! "$java" -Xshare:on -version >/dev/null 2>&1; then
    echo "make-cds-archive: creating the JDK's base class-data archive"
    "$java" -Xshare:dump >/dev/null
fi

work=$(mktemp -d)
pid=''
aws_pid=''
cleanup() {
    if [[ -n $pid ]]; then
        # The training JVM's process group: with -XX:AOTCacheOutput it starts a second JVM to write the cache.
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    if [[ -n $aws_pid ]]; then
        kill -TERM "$aws_pid" 2>/dev/null || true
        wait "$aws_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/etc" "$work/state"
if [[ -d $config_dir ]]; then
    find "$config_dir" -maxdepth 1 -name '*.config' -exec cp {} "$work/etc/" \;
fi
mkdir -p "$work/bin"
for tool in nholuongut scope; do
    cat >"$work/bin/$tool" <<'TOOL'
#!/bin/sh
[ "${1:-}" = status ] && exit 1
exit 0
TOOL
    chmod +x "$work/bin/$tool"
done

python3 "$stand_in" serve "$recorded" >"$work/aws.port" 2>"$work/aws.log" &
aws_pid=$!
port=''
for _ in $(seq 100); do
    read -r port <"$work/aws.port" || true
    [[ -n $port ]] && break
    kill -0 "$aws_pid" 2>/dev/null || { cat "$work/aws.log" >&2; die "the training stand-in did not start"; }
    sleep 0.05
done
[[ -n $port ]] || die "the training stand-in did not start"

case $kind in
    cds) training=(-XX:ArchiveClassesAtExit="$work/agent.archive") check=(-XX:SharedArchiveFile="$work/agent.archive" -Xshare:on) ;;
    aot) training=(-XX:AOTCacheOutput="$work/agent.archive") check=(-XX:AOTCache="$work/agent.archive" -XX:AOTMode=on) ;;
esac

echo "make-cds-archive: training run ($kind) of $jar with $java ${opts[*]}"
setsid env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$work" LANG=C.UTF-8 \
    AWS_ACCESS_KEY_ID=training AWS_SECRET_ACCESS_KEY=training \
    AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$port" \
    "$java" "${opts[@]}" "${training[@]}" -jar "$jar" run --config-dir "$work/etc" \
    --set PEERS= --set DISCOVERY=auto --set PEER_GROUP_TAG=nholuongut:peerGroupName --set PEER_GROUP_NAME= \
    --set SCOPE_ENABLED=true --set SERVICE_TOKEN= --set SCOPE_APPS=3 --set REFRESH_INTERVAL=1s \
    --set NET_BIN="$work/bin/nholuongut" --set SCOPE_BIN="$work/bin/scope" --set STATE_DIR="$work/state" \
    --set RUN_DIR="$work/run" \
    >"$work/run.log" 2>&1 &
pid=$!

# Done 4 s (three refreshes at 1 s) after the boot's last step, the Scope launch; or when the process has
# ended, or when time is up.
booted=-1
for ((waited = 0; waited < timeout * 5; waited++)); do
    if ((booted < 0)) && grep -q 'bin/scope launch' "$work/run.log" 2>/dev/null; then
        booted=$waited
    fi
    ((booted >= 0 && waited - booted >= 20)) && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
done
kill -TERM "$pid" 2>/dev/null || true
# Writing the archive takes seconds (an AOT cache: a second JVM); a run that does not end within the bound is
# killed with its process group, and the build fails below.
for ((waited = 0; waited < timeout * 5; waited++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
done
if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null || true
fi
status=0
wait "$pid" || status=$?
pid=''
if ((status != 0)) || [[ ! -s $work/agent.archive ]] || ! grep -q 'bin/nholuongut launch --ipalloc-init consensus=6 .*10\.0\.0\.11 10\.0\.0\.12 10\.0\.0\.13 10\.0\.0\.14 10\.0\.0\.15 (exit 0' "$work/run.log"; then
    cat "$work/run.log" "$work/aws.log" >&2
    die "the training run ended with exit code $status without discovering the recorded group and writing an archive"
fi
if [[ -s $work/aws.log ]]; then
    cat "$work/aws.log" >&2
    die "the training run asked the stand-in for something it has no recorded answer for"
fi

if ! "$java" "${opts[@]}" "${check[@]}" -jar "$jar" --version >/dev/null 2>"$work/check.log" || [[ -s $work/check.log ]]; then
    cat "$work/check.log" >&2
    die "the new archive does not load (${check[*]})"
fi

mkdir -p "$(dirname "$archive")"
install -m 0644 "$work/agent.archive" "$archive.new"
mv -f "$archive.new" "$archive"
echo "make-cds-archive: wrote $archive ($(du -h "$archive" | cut -f1))"
