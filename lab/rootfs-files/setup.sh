#!/bin/sh
# Turns a fresh debootstrap into the shared, read-only root of every lab switch.
# Runs chrooted in the new root. Nothing switch-specific (host keys, hostname,
# machine id, client keys) may be left in it.
set -eu

install -d -m 0755 /usr/local/lib/portsync-lab
install -m 0755 /tmp/portsync-lab-setup/emulate-knobs.sh /usr/local/lib/portsync-lab/emulate-knobs
install -m 0644 /tmp/portsync-lab-setup/portsync-lab-knobs.service /etc/systemd/system/
ln -sf /etc/systemd/system/portsync-lab-knobs.service /etc/systemd/system/sysinit.target.wants/

install -m 0644 /tmp/portsync-lab-setup/sshd-lab.conf /etc/ssh/sshd_config.d/portsync-lab.conf
rm -f /etc/ssh/ssh_host_*

# Redis as on SONiC: loopback TCP plus the unix socket the SONiC tools use, no snapshots.
sed -i \
	-e 's|^# *unixsocket .*|unixsocket /var/run/redis/redis.sock|' \
	-e 's|^# *unixsocketperm .*|unixsocketperm 777|' \
	-e 's|^bind .*|bind 127.0.0.1|' \
	-e 's|^# *save ""|save ""|' \
	/etc/redis/redis.conf

# A non-root operator account for privilege escalation ("become") over SSH.
id lab >/dev/null 2>&1 || useradd --create-home --shell /bin/bash lab
# '*': no password, but not locked (sshd refuses key logins to locked accounts without PAM).
usermod --password '*' lab
echo 'lab ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/lab
chmod 0440 /etc/sudoers.d/lab
install -d -m 0700 /root/.ssh
install -d -m 0700 -o lab -g lab /home/lab/.ssh

# Per-switch identity is written at lab up; an empty machine-id is filled in at first boot.
rm -f /etc/hostname /etc/resolv.conf
: > /etc/machine-id
apt-get clean
rm -rf /var/lib/apt/lists/* /tmp/portsync-lab-setup
