// Puts every switch of the lab back to "never tuned" between timed runs, by entering the
// switch's namespaces (no SSH, so the reset never warms anything the timed run uses): the
// managed files go, the boot unit is disabled, systemd reloads, and the live values return
// to what a fresh switch had. This takes the place of a reboot, which costs far more and is
// not part of what is measured either.
import { mapLimit } from '../../lab/exec.js';
import { switchExec } from '../../lab/lab.js';

/** What one benchmarked playbook leaves on a switch. */
export interface Footprint {
  files: string[];
  units: string[];
  sysctlKeys: string[];
  irqAffinity: boolean;
}

export const FLEET_FOOTPRINT: Footprint = {
  files: [
    '/etc/sysctl.d/60-fleet-bench.conf',
    '/etc/systemd/system/portsyncd.service.d/40-limits.conf',
    '/usr/local/sbin/portsyncd-irq-affinity.sh',
    '/etc/systemd/system/portsyncd-tuning-irq.service',
  ],
  units: ['portsyncd-tuning-irq.service'],
  sysctlKeys: ['net.core.somaxconn', 'net.ipv4.tcp_fastopen', 'net.ipv4.tcp_keepalive_time'],
  irqAffinity: true,
};

export const SITE_FOOTPRINT: Footprint = {
  files: ['/etc/sysctl.d/50-portsyncd.conf', '/etc/systemd/system/portsyncd.service.d/40-limits.conf'],
  units: [],
  sysctlKeys: [
    'net.core.rmem_default', 'net.core.rmem_max', 'net.core.wmem_default', 'net.core.wmem_max',
    'net.core.somaxconn', 'net.ipv4.tcp_max_syn_backlog', 'net.ipv4.tcp_fastopen', 'net.ipv4.tcp_tw_reuse',
    'vm.swappiness', 'vm.overcommit_memory', 'fs.file-max',
  ],
  irqAffinity: false,
};

/** A fresh switch's values, read once before any playbook runs. */
export interface Pristine {
  sysctl: Record<string, string>;
  irqAffinityList: string;
}

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function readPristine(lab: string, switchName: string, footprints: Footprint[]): Promise<Pristine> {
  const keys = [...new Set(footprints.flatMap((f) => f.sysctlKeys))];
  const sysctl: Record<string, string> = {};
  for (const key of keys) {
    const r = await switchExec(lab, switchName, ['sysctl', '-n', key]);
    if (r.code !== 0) throw new Error(`${switchName}: sysctl -n ${key}: ${r.stderr.trim()}`);
    sysctl[key] = r.stdout.trim().replace(/\s+/g, ' ');
  }
  // Every emulated IRQ starts with the same affinity (every CPU).
  const irq = await switchExec(lab, switchName, ['sh', '-c', 'cat $(ls /proc/irq/*/smp_affinity_list | head -n 1)']);
  return { sysctl, irqAffinityList: irq.stdout.trim() };
}

export function resetScript(footprint: Footprint, pristine: Pristine): string {
  const lines = ['set -e'];
  for (const unit of footprint.units) lines.push(`systemctl disable ${shQuote(unit)} >/dev/null 2>&1 || true`);
  lines.push(`rm -f ${footprint.files.map(shQuote).join(' ')}`);
  // Drop-in folders the playbooks created go too when empty, as on a fresh switch.
  lines.push('rmdir /etc/systemd/system/portsyncd.service.d 2>/dev/null || true');
  lines.push('systemctl daemon-reload');
  for (const key of footprint.sysctlKeys) lines.push(`sysctl -q -w ${shQuote(`${key}=${pristine.sysctl[key]}`)}`);
  if (footprint.irqAffinity) {
    lines.push(`for f in /proc/irq/*/smp_affinity_list; do echo ${shQuote(pristine.irqAffinityList)} > "$f"; done`);
  }
  return lines.join('\n');
}

/** Resets every switch; returns the seconds it took (reported, never part of a timed run). */
export async function resetSwitches(lab: string, switches: string[], footprint: Footprint, pristine: Pristine): Promise<number> {
  const t0 = performance.now();
  const script = resetScript(footprint, pristine);
  await mapLimit(switches, 8, async (s) => {
    const r = await switchExec(lab, s, ['sh', '-c', script]);
    if (r.code !== 0) throw new Error(`reset of ${s} failed (exit ${r.code}): ${r.stderr.trim()}`);
  });
  return (performance.now() - t0) / 1000;
}
