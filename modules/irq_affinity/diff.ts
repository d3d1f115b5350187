// The irq_affinity module's diff: each drifted IRQ pinned live, and the boot script and unit that
// pin them again at every boot.
import type { Change, PlanContext } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import { asList, matchNames } from '../_tuning/interfaces.js';
import { resolveCpus, sameCpuList } from '../_tuning/host-cpus.js';
import { formatCpuList } from '../_tuning/cpu-list.js';
import { liveDiff, liveWriteOp } from '../_tuning/live-write.js';
import { irqFacts, type IrqFacts } from '../_tuning/irqs.js';
import { bootInstallChanges, bootRemovalChanges, renderBootFiles, type BootUnit } from '../_tuning/boot-persistence.js';
import type { IrqAffinityArgs } from './schema.js';

export const affinityPath = (irq: number) => `/proc/irq/${irq}/smp_affinity_list`;

export function bootUnit(args: IrqAffinityArgs): BootUnit {
  return {
    module: 'irq_affinity',
    description: `IRQ affinity of ${asList(args.interfaces).join(', ')}`,
    scriptPath: '/usr/local/sbin/portsyncd-irq-affinity.sh',
    unitName: 'portsyncd-tuning-irq.service',
  };
}

export interface Pin {
  irq: number;
  nic: string;
  current: string | null;
}

export function matchedIrqs(irq: IrqFacts, args: IrqAffinityArgs): Pin[] {
  const current = irq.affinity;
  const pins: Pin[] = [];
  for (const nic of matchNames(irq.nics, args.interfaces)) {
    for (const irq of nic.irqs) {
      if (!pins.some((p) => p.irq === irq)) pins.push({ irq, nic: nic.name, current: current[affinityPath(irq)] ?? null });
    }
  }
  return pins.sort((a, b) => a.irq - b.irq);
}

export function bootFiles(ctx: PlanContext, args: IrqAffinityArgs, cpus: number[]) {
  const cpuList = formatCpuList(cpus);
  return renderBootFiles(ctx, bootUnit(args), {
    irqRules: asList(args.interfaces).map((pattern) => ({ pattern, cpus: cpuList })),
  });
}

export function irqAffinityDiff(facts: Facts, args: IrqAffinityArgs, ctx: PlanContext): Change[] {
  // Without the boot script the pins last until the next reboot; irqbalance or the kernel's
  // default_smp_affinity take over again then.
  if (args.state === 'absent') return bootRemovalChanges(facts, bootUnit(args));
  const cpus = resolveCpus(args.cpus!, facts.host, ctx, ['cpus']); // the schema requires cpus when present
  if (!cpus) return [];
  const changes: Change[] = [];
  if (!ctx.offline) {
    const irq = irqFacts(facts);
    const pins = matchedIrqs(irq, args);
    if (pins.length === 0) {
      ctx.warn(`no IRQ in /proc/interrupts belongs to ${asList(args.interfaces).join(', ')}; only the boot script is installed`);
    }
    if (irq.irqbalanceActive) {
      ctx.warn(
        `irqbalance is running and will move these IRQs again; disable it (systemctl disable --now irqbalance) or ban CPUs ${formatCpuList(cpus)} from it (IRQBALANCE_BANNED_CPULIST)`,
      );
    }
    const drift = pins.filter((p) => !sameCpuList(p.current, cpus));
    if (drift.length > 0) {
      const want = formatCpuList(cpus);
      changes.push({
        summary: `IRQ affinity of ${drift.map((p) => `${p.irq} (${p.nic})`).join(', ')} -> CPUs ${want}`,
        diff: liveDiff(drift.map((p) => ({ label: affinityPath(p.irq), before: p.current, after: want }))),
        ops: [liveWriteOp(drift.map((p) => ({ path: affinityPath(p.irq), value: want })))],
      });
    }
  }
  return [...changes, ...bootInstallChanges(facts, bootUnit(args), bootFiles(ctx, args, cpus))];
}
