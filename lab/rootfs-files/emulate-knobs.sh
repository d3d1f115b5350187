#!/bin/sh
# Emulates, per switch, the kernel knobs that are global to the host (or read-only in a
# network namespace), so that tuning a lab switch never changes the machine it runs on.
# Runs at every boot before systemd-sysctl. Values live under /run (a fresh tmpfs per
# boot), so like real kernel knobs they return to their defaults on reboot.
set -eu

STATE=/run/portsync-lab/knobs
mkdir -p "$STATE"

# Replace one /proc or /sys file with a writable per-switch copy of its current value.
emulate_file() {
	path=$1
	copy=$STATE/$(echo "$path" | tr / _)
	cat "$path" > "$copy"
	mount --bind "$copy" "$path"
}

for path in \
	/proc/sys/vm/swappiness \
	/proc/sys/vm/overcommit_memory \
	/proc/sys/net/core/rmem_default \
	/proc/sys/net/core/rmem_max \
	/proc/sys/net/core/wmem_default \
	/proc/sys/net/core/wmem_max \
	/proc/sys/fs/file-max
do
	emulate_file "$path"
done

# Transparent huge pages: a tmpfs with the two knobs, seeded from the host's values.
thp=/sys/kernel/mm/transparent_hugepage
thp_enabled=$(cat "$thp/enabled")
thp_defrag=$(cat "$thp/defrag")
mount -t tmpfs -o mode=0755,size=64k lab-thp "$thp"
echo "$thp_enabled" > "$thp/enabled"
echo "$thp_defrag" > "$thp/defrag"

# Block devices: one SSD-like disk, as on a switch.
mount -t tmpfs -o mode=0755,size=64k lab-block /sys/block
mkdir -p /sys/block/sda/queue
echo "none [mq-deadline] kyber bfq" > /sys/block/sda/queue/scheduler
echo 0 > /sys/block/sda/queue/rotational

# Interrupts: one rx and one tx IRQ per port queue, NIC style ("Ethernet0-rx-0"), with
# /proc/irq/<n>/smp_affinity{,_list} for each. The two affinity files are independent
# regular files: a writer should write smp_affinity_list (or both).
cpus=$(getconf _NPROCESSORS_ONLN)
all_list="0-$((cpus - 1))"
[ "$cpus" -eq 1 ] && all_list=0
# Hex CPU mask in the kernel's format: 32-bit groups separated by commas.
all_mask=$(awk -v n="$cpus" 'BEGIN {
	out = ""
	while (n > 0) { bits = n > 32 ? 32 : n; n -= bits
		group = sprintf(bits == 32 ? "%08x" : "%x", 2 ^ bits - 1)
		out = out == "" ? group : group "," out }
	print out }')

mount -t tmpfs -o mode=0755,size=1m lab-irq /proc/irq
echo "$all_mask" > /proc/irq/default_smp_affinity

interrupts=$STATE/interrupts
{
	printf '%4s' ''
	cpu=0
	while [ "$cpu" -lt "$cpus" ]; do printf ' %10s' "CPU$cpu"; cpu=$((cpu + 1)); done
	printf '\n'
} > "$interrupts"

irq_line() { # irq, name
	printf '%4s' "$1:" >> "$interrupts"
	cpu=0
	while [ "$cpu" -lt "$cpus" ]; do printf ' %10s' 0 >> "$interrupts"; cpu=$((cpu + 1)); done
	printf '  PCI-MSIX-0000:01:00.0 %6s-edge      %s\n' "$1" "$2" >> "$interrupts"
}

# Shell builtins only inside the loops: this runs in every switch at every boot.
irq=64
irqs=
for port in $(ls /sys/class/net | grep '^Ethernet' | sort -V); do
	dev=/sys/class/net/$port
	for dir in rx tx; do
		for queue in "$dev"/queues/"$dir"-*; do
			[ -e "$queue" ] || continue
			irq_line "$irq" "$port-${queue##*/}"
			irqs="$irqs $irq"
			irq=$((irq + 1))
		done
	done
done
if [ -n "$irqs" ]; then
	(cd /proc/irq && mkdir $irqs)
	for irq in $irqs; do
		echo "$all_mask" > "/proc/irq/$irq/smp_affinity"
		echo "$all_list" > "/proc/irq/$irq/smp_affinity_list"
	done
fi
mount --bind "$interrupts" /proc/interrupts

# Per-port RPS masks are real (each port is a veth in this switch's own namespace), but
# nspawn mounts /sys read-only. This sysfs instance belongs to the switch's network
# namespace, so making its superblock writable through one new mount exposes only this
# namespace's network devices; nspawn's other /sys mounts keep their read-only flag.
mount --bind /sys/devices/virtual/net /sys/devices/virtual/net
mount -o remount,rw /sys/devices/virtual/net
