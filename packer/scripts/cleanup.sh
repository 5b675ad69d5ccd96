#!/usr/bin/env bash
# Runs last ON the build instance, as root: removes what would make every instance launched from the AMI
# share this build instance's identity (SSH keys, machine id, cloud-init state), and the ECS agent's state,
# so that each instance registers with its own cluster (ECS_CLUSTER from its User Data) as a new instance.
# The pulled images stay.
set -euo pipefail

step() {
    printf '==> %s\n' "$*"
}

step "stopping the ECS agent and removing its state"
systemctl stop ecs.service || true
systemctl stop nholuongut-agent.service nholuongut-docker.service nholuongut-docker.socket 2>/dev/null || true
if [[ -f /etc/ecs/ecs.config ]]; then
    # Nothing may pin a cluster or an instance; a stock ECS-optimized AMI has none of these.
    sed -i -E '/^[[:space:]]*(export[[:space:]]+)?(ECS_CLUSTER|ECS_INSTANCE_ATTRIBUTES|ECS_CONTAINER_INSTANCE_TAGS|DOCKER_HOST)=/d' \
        /etc/ecs/ecs.config
fi
rm -rf /var/lib/ecs/data/* /var/log/ecs/*

step "removing containers (the images stay), and state of this build"
# Containers and their volumes: the ECS agent's, and any data container the tools made (Net keeps its
# peer identity in one: it must be made anew on each instance).
docker ps -aq | xargs -r docker rm -f -v
docker volume prune --force --all 2>/dev/null || docker volume prune --force
rm -rf /var/lib/nholuongut/* /run/nholuongut /tmp/nholuongut

step "removing SSH keys and this instance's identity"
find /root /home -maxdepth 3 -path '*/.ssh/authorized_keys' -type f -print -delete
rm -f /etc/ssh/ssh_host_*
rm -f /root/.bash_history /home/*/.bash_history
# Empty, not absent: systemd makes a new machine id at the first boot of each instance.
truncate -s 0 /etc/machine-id
cloud-init clean --logs || rm -rf /var/lib/cloud/*

step "cleaning caches and logs"
dnf clean all
# What amazon-ecs-ami's scripts/cleanup.sh also removes: the journal (rotating and vacuuming keeps the new
# active file, with this build's boot in it), login records, the package history, temporary files, the
# build instance's hostname and the syslog reader's cursor; each instance makes its own.
journalctl --rotate || true
journalctl --vacuum-time=1s || true
rm -rf /var/log/journal/*
rm -f /var/log/wtmp /var/log/btmp /var/log/lastlog /var/log/secure /var/lib/rsyslog/imjournal.state
rm -rf /var/lib/dnf/history* /var/tmp/* /etc/hostname
