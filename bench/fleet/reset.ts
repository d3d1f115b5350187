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
  /** Folders removed with their contents. */
  trees?: string[];
  /** Units disabled and stopped (boot-time units that ran once). */
  units: string[];
  /** Units stopped and disabled (services left running). */
  services?: string[];
  sysctlKeys: string[];
  /** Emulated knob files (globs) whose contents go back to a fresh switch's. */
  knobFiles?: string[];
  irqAffinity: boolean;
}

export const FLEET_FOOTPRINT: Footprint = {
  files: [
    '/etc/sysctl.d/60-fleet-bench.conf',
    '/etc/systemd/system/portsyncd.service.d/40-limits.conf',
    '/usr/local/sbin/portsyncd-irq-affinity.sh',
    '/etc/systemd/system/portsyncd-tuning-irq.service',
    '/etc/default/portsyncd-tuning',
    '/etc/profile.d/portsyncd.sh',
  ],
  units: ['portsyncd-tuning-irq.service'],
  sysctlKeys: ['net.core.somaxconn', 'net.ipv4.tcp_fastopen', 'net.ipv4.tcp_keepalive_time'],
  irqAffinity: true,
};

/** playbooks/site.yaml: kernel parameters, the balanced tuning profile and the deployed daemon. */
export const SITE_FOOTPRINT: Footprint = {
  files: [
    '/etc/sysctl.d/50-portsyncd.conf',
    '/etc/sysctl.d/60-portsyncd-vm.conf',
    '/etc/systemd/system/portsyncd.service',
    '/etc/systemd/system/portsyncd-tuning-thp.service',
    '/usr/local/sbin/portsyncd-thp.sh',
    '/etc/udev/rules.d/60-portsyncd-io-scheduler.rules',
  ],
  trees: ['/etc/systemd/system/portsyncd.service.d', '/opt/portsyncd', '/etc/portsyncd', '/var/lib/portsyncd', '/var/lib/portsync-deploy'],
  units: ['portsyncd-tuning-thp.service'],
  services: ['portsyncd.service'],
  knobFiles: ['/sys/kernel/mm/transparent_hugepage/enabled', '/sys/kernel/mm/transparent_hugepage/defrag', '/sys/block/*/queue/scheduler'],
  sysctlKeys: [
    'net.core.rmem_default',
    'net.core.rmem_max',
    'net.core.wmem_default',
    'net.core.wmem_max',
    'net.core.somaxconn',
    'net.ipv4.tcp_max_syn_backlog',
    'net.ipv4.tcp_fastopen',
    'net.ipv4.tcp_tw_reuse',
    'vm.swappiness',
    'vm.overcommit_memory',
    'fs.file-max',
  ],
  irqAffinity: false,
};

/** A fresh switch's values, read once before any playbook runs. */
export interface Pristine {
  sysctl: Record<string, string>;
  irqAffinityList: string;
  /** Per knob-file glob: each file it matched and that file's contents. */
  knobs?: Record<string, Array<[file: string, contents: string]>>;
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
  const knobs: NonNullable<Pristine['knobs']> = {};
  for (const glob of new Set(footprints.flatMap((f) => f.knobFiles ?? []))) {
    // One "path<TAB>contents" line per file the glob matches.
    const r = await switchExec(lab, switchName, [
      'sh',
      '-c',
      `for f in ${glob}; do [ -f "$f" ] && printf '%s\\t%s\\n' "$f" "$(cat "$f")"; done; true`,
    ]);
    knobs[glob] = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf('\t');
        return [line.slice(0, tab), line.slice(tab + 1)];
      });
  }
  return { sysctl, irqAffinityList: irq.stdout.trim(), knobs };
}

export function resetScript(footprint: Footprint, pristine: Pristine): string {
  const lines = ['set -e'];
  for (const unit of footprint.services ?? []) lines.push(`systemctl disable --now ${shQuote(unit)} >/dev/null 2>&1 || true`);
  // Stopped too: a oneshot that ran stays loaded (active, exited) after its file is gone, and a
  // later `systemctl enable` of a new file by that name then fails with EBUSY.
  for (const unit of footprint.units) lines.push(`systemctl disable --now ${shQuote(unit)} >/dev/null 2>&1 || true`);
  lines.push(`rm -f ${footprint.files.map(shQuote).join(' ')}`);
  if (footprint.trees?.length) lines.push(`rm -rf ${footprint.trees.map(shQuote).join(' ')}`);
  // Drop-in folders the playbooks created go too when empty, as on a fresh switch.
  lines.push('rmdir /etc/systemd/system/portsyncd.service.d 2>/dev/null || true');
  lines.push('systemctl daemon-reload');
  for (const key of footprint.sysctlKeys) lines.push(`sysctl -q -w ${shQuote(`${key}=${pristine.sysctl[key]}`)}`);
  for (const glob of footprint.knobFiles ?? []) {
    for (const [file, contents] of pristine.knobs?.[glob] ?? []) lines.push(`printf '%s\\n' ${shQuote(contents)} > ${shQuote(file)}`);
  }
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
