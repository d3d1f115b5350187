// The rps module's inspect: each setting's desired, live and persisted value for verify.
import type { PlanContext, SettingState } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import { resolveCpus } from '../_tuning/host-cpus.js';
import { formatCpuList } from '../_tuning/cpu-list.js';
import { bootPersisted } from '../_tuning/boot-persistence.js';
import type { RpsArgs } from './schema.js';
import { bootUnit, queueValues, sockFlowValue, bootFiles } from './diff.js';

export function rpsInspect(facts: Facts, args: RpsArgs, ctx: PlanContext): SettingState[] {
  const u = bootUnit(args);
  if (args.state === 'absent') {
    const left = facts.file(u.scriptPath) !== null;
    return [{ setting: u.unitName, desired: 'absent', persisted: left ? 'installed' : null, ok: !left }];
  }
  const cpus = resolveCpus(args.cpus!, facts.host, ctx, ['cpus']); // the schema requires cpus when present
  if (!cpus) return [];
  const files = bootFiles(ctx, args, cpus);
  const values = ctx.offline ? [] : queueValues(facts, args, cpus);
  const sock = ctx.offline ? null : sockFlowValue(facts, args);
  const all = sock ? [sock, ...values] : values;
  if (all.length === 0) {
    const persisted = bootPersisted(facts, u, files, formatCpuList(cpus));
    return [{ setting: u.description, desired: formatCpuList(cpus), persisted, ok: persisted === formatCpuList(cpus) }];
  }
  return all.map((v): SettingState => {
    const persisted = bootPersisted(facts, u, files, v.want);
    return { setting: v.path, desired: v.want, live: v.current, persisted, ok: v.ok && persisted === v.want };
  });
}
