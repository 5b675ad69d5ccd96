#!/usr/bin/env bash
# Runs ON the build instance, as root (the Packer template's shell provisioner): installs the Java runtime,
# the agent, nholuongut Net and Scope (version-pinned, checksum-verified), the units and the example
# configuration, makes the class-data archive and pre-pulls the tools' images.
#
# Environment (set by packer/nholuongut-ecs.pkr.hcl): STAGE (the uploaded files), JAVA_PACKAGE, NET_URL,
# NET_SHA256, SCOPE_URL, SCOPE_SHA256, SCOPE_IMAGE.
set -euo pipefail

: "${STAGE:?}" "${JAVA_PACKAGE:?}" "${NET_URL:?}" "${NET_SHA256:?}" "${SCOPE_URL:?}" "${SCOPE_SHA256:?}"
: "${SCOPE_IMAGE:?}"

readonly LIB=/usr/local/lib/nholuongut
readonly BIN=/usr/local/bin
readonly ETC=/etc/nholuongut
readonly UNITS=/etc/systemd/system
readonly PROXYD=/usr/lib/systemd/systemd-socket-proxyd

step() {
    printf '==> %s\n' "$*"
}

die() {
    printf 'install.sh: %s\n' "$*" >&2
    exit 1
}

# Downloads $1 to $3 (mode 755) if its SHA-256 is $2; anything else fails the build.
fetch_verified() {
    local url=$1 want=${2,,} dest=$3 tmp got
    [[ $want =~ ^[0-9a-f]{64}$ ]] || die "the checksum for $url must be 64 hex digits, got '$2'"
    tmp=$(mktemp)
    curl -fsSL --retry 5 --retry-delay 3 --connect-timeout 20 -o "$tmp" "$url" || die "cannot download $url"
    got=$(sha256sum "$tmp" | cut -d' ' -f1)
    if [[ $got != "$want" ]]; then
        rm -f "$tmp"
        die "checksum mismatch for $url: expected $want, got $got"
    fi
    install -m 0755 "$tmp" "$dest"
    rm -f "$tmp"
    echo "$dest: $url (sha256 $got)"
}

step "stopping the ECS agent: this build instance must not join a cluster"
systemctl stop ecs.service || true
systemctl start docker.service

step "installing $JAVA_PACKAGE"
dnf install -y "$JAVA_PACKAGE"
java -version
# The unit maps an AOT cache (-XX:AOTCache), which Java 25 introduced: an older runtime would not start it.
feature=$(java -XshowSettings:properties -version 2>&1 | awk '$1 == "java.specification.version" {print $3}')
if ! [[ $feature =~ ^[0-9]+$ ]] || ((feature < 25)); then
    die "$JAVA_PACKAGE is Java ${feature:-of an unknown version}; the unit needs Java 25 or later (-XX:AOTCache)"
fi
# The ECS agent's stable Docker socket is forwarded by systemd-socket-proxyd.
[[ -x $PROXYD ]] || dnf install -y "$PROXYD"
[[ -x $PROXYD ]] || die "$PROXYD is missing"

step "installing the agent"
install -d -m 0755 "$LIB"
install -m 0644 "$STAGE/agent.jar" "$LIB/agent.jar"
install -m 0755 "$STAGE/init/nholuongut-ecs-env.sh" "$LIB/ecs-env.sh"
install -m 0755 "$STAGE/scripts/make-cds-archive.sh" "$LIB/make-cds-archive.sh"
# The class-data training run's stand-in for IMDS and EC2, and the answers it gives (make-cds-archive.sh):
# kept on the image, so that the archive can be made again after a Java update.
install -m 0755 "$STAGE/scripts/training-aws.py" "$LIB/training-aws.py"
install -d -m 0755 "$LIB/training"
install -m 0644 "$STAGE"/scripts/training/* "$LIB/training/"
java -jar "$LIB/agent.jar" --version

step "installing nholuongut Net and Scope"
fetch_verified "$NET_URL" "$NET_SHA256" "$BIN/nholuongut"
fetch_verified "$SCOPE_URL" "$SCOPE_SHA256" "$BIN/scope"

step "installing the configuration examples"
install -d -m 0755 "$ETC"
install -m 0644 "$STAGE/files/etc/nholuongut/nholuongut.config" "$ETC/nholuongut.config"
# It may come to hold SERVICE_TOKEN (User Data appends to it): root only.
install -m 0600 "$STAGE/files/etc/nholuongut/scope.config" "$ETC/scope.config"

step "installing the units"
install -m 0644 "$STAGE/init/nholuongut-agent.service" "$UNITS/nholuongut-agent.service"
install -m 0644 "$STAGE/init/nholuongut-docker.socket" "$UNITS/nholuongut-docker.socket"
install -m 0644 "$STAGE/init/nholuongut-docker.service" "$UNITS/nholuongut-docker.service"
install -d -m 0755 "$UNITS/ecs.service.d"
install -m 0644 "$STAGE/init/ecs.service.d/nholuongut.conf" "$UNITS/ecs.service.d/nholuongut.conf"
systemctl daemon-reload
systemd-analyze verify "$UNITS/nholuongut-agent.service" "$UNITS/nholuongut-docker.socket" \
    "$UNITS/nholuongut-docker.service"
systemctl enable nholuongut-agent.service nholuongut-docker.socket
# The whole boot with this image's real units (its cloud-init, ecs.service and targets): an ordering cycle is
# broken by dropping jobs, the ECS agent's among them, and systemd-analyze still exits 0 for it.
if systemd-analyze verify default.target 2>&1 | grep -i -E 'ordering cycle|to break ordering'; then
    die "the boot has an ordering cycle (above)"
fi
# The drop-in must be in effect for the ECS agent's unit of this AMI.
systemctl show -p DropInPaths ecs.service | grep -q "$UNITS/ecs.service.d/nholuongut.conf" ||
    die "ecs.service does not pick up $UNITS/ecs.service.d/nholuongut.conf"
systemctl show -p After ecs.service | grep -q nholuongut-agent.service ||
    die "ecs.service is not ordered after nholuongut-agent.service"
systemctl is-enabled ecs.service || echo "install.sh: warning: ecs.service is not enabled on this base AMI" >&2

step "making the class-data archive (AOT cache) for $(readlink -f "$(command -v java)")"
"$LIB/make-cds-archive.sh" "$UNITS/nholuongut-agent.service"

step "pre-pulling the tools' images"
"$BIN/nholuongut" setup
docker pull "$SCOPE_IMAGE"
docker images

step "installed"
