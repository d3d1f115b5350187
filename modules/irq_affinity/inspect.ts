// The irq_affinity module's inspect: each setting's desired, live and persisted value for verify.
import type { PlanContext, SettingState } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import { asList } from '../_tuning/interfaces.js';
import { resolveCpus, sameCpuList } from '../_tuning/host-cpus.js';
import { formatCpuList } from '../_tuning/cpu-list.js';
import { irqFacts } from '../_tuning/irqs.js';
import { bootPersisted } from '../_tuning/boot-persistence.js';
import type { IrqAffinityArgs } from './schema.js';
import { affinityPath, bootUnit, matchedIrqs, bootFiles } from './diff.js';

export function irqAffinityInspect(facts: Facts, args: IrqAffinityArgs, ctx: PlanContext): SettingState[] {
  const u = bootUnit(args);
  if (args.state === 'absent') {
    const left = facts.file(u.scriptPath) !== null;
    return [{ setting: `${u.unitName}`, desired: 'absent', persisted: left ? 'installed' : null, ok: !left }];
  }
  const cpus = resolveCpus(args.cpus!, facts.host, ctx, ['cpus']); // the schema requires cpus when present
  if (!cpus) return [];
  const want = formatCpuList(cpus);
  const persisted = bootPersisted(facts, u, bootFiles(ctx, args, cpus), want);
  const pins = ctx.offline ? [] : matchedIrqs(irqFacts(facts), args);
  if (pins.length === 0) {
    return [{ setting: `IRQ affinity of ${asList(args.interfaces).join(', ')}`, desired: want, persisted, ok: persisted === want }];
  }
  return pins.map((p): SettingState => ({
    setting: `${affinityPath(p.irq)} (${p.nic})`,
    desired: want,
    live: p.current,
    persisted,
    ok: sameCpuList(p.current, cpus) && persisted === want,
  }));
}
