// The always-gathered host facts the planner needs for `when` and module logic: identity, CPUs,
// NUMA nodes, the kernel's sysctl keys and whether systemd runs. Prints key=value lines.
import type { HostFacts } from './types.js';

export function hostFactsScript(): string {
  return `if [ -n "$ROOT" ] && [ -r "$ROOT/etc/hostname" ]; then echo "hostname=$(cat "$ROOT/etc/hostname")"; else echo "hostname=$(uname -n)"; fi
echo "kernel=$(uname -r)"
echo "cpus=$(cat /sys/devices/system/cpu/online 2>/dev/null)"
echo "numa=$(cat /sys/devices/system/node/online 2>/dev/null)"
if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then echo systemd=1; else echo systemd=0; fi
(cd /proc/sys && find . -type f 2>/dev/null) | sed 's|^\\./||; s|/|.|g; s|^|sysctl=|'`;
}

/** "0-3,8" -> [0,1,2,3,8] */
export function parseRangeList(s: string): number[] {
  const out: number[] = [];
  for (const part of s.trim().split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

export function parseHostFacts(text: string): HostFacts {
  const one = new Map<string, string>();
  const sysctlKeys: string[] = [];
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const k = line.slice(0, eq);
    if (k === 'sysctl') sysctlKeys.push(line.slice(eq + 1));
    else one.set(k, line.slice(eq + 1));
  }
  return {
    hostname: one.get('hostname') ?? '',
    kernel: one.get('kernel') ?? '',
    cpusOnline: parseRangeList(one.get('cpus') ?? ''),
    numaNodes: parseRangeList(one.get('numa') ?? ''),
    sysctlKeys: sysctlKeys.sort(),
    nics: [],
    blockDevices: [],
    irqbalanceActive: false,
    systemd: one.get('systemd') === '1',
  };
}
