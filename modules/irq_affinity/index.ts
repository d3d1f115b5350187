// irq_affinity: pin the IRQs of matching NICs to a CPU list through /proc/irq/N/smp_affinity_list,
// live and at every boot (script + oneshot unit, since the kernel forgets affinity on reboot).
import { daemonReload } from '../_shared/handlers.js';
import type { Module } from '../../src/module.js';
import type { FactQuery } from '../../src/facts/types.js';
import { irqFactsQuery } from '../_tuning/irqs.js';
import { bootNeeds } from '../_tuning/boot-persistence.js';
import { schema, type IrqAffinityArgs } from './schema.js';
import { irqAffinityDiff, bootUnit } from './diff.js';
import { irqAffinityInspect } from './inspect.js';

const irqAffinity: Module<IrqAffinityArgs> = {
  name: 'irq_affinity',
  handlers: [daemonReload],
  schema,

  needs(args, ctx) {
    const queries: FactQuery[] = bootNeeds(bootUnit(args));
    if (args.state !== 'absent') queries.push({ kind: 'host' }, ...(ctx.offline ? [] : [irqFactsQuery()]));
    return queries;
  },

  diff: irqAffinityDiff,

  inspect: irqAffinityInspect,
};

export default irqAffinity;
