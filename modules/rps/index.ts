// rps: Receive Packet Steering per rx queue of matching NICs (rps_cpus hex mask), with optional
// Receive Flow Steering (net.core.rps_sock_flow_entries + rps_flow_cnt per queue). Applied live and
// restored at boot by a script + oneshot unit, because the kernel resets them when a NIC appears.
import { daemonReload } from '../_shared/handlers.js';
import type { Module } from '../../src/module.js';
import type { FactQuery } from '../../src/facts/types.js';
import { sysfsValuesQueries } from '../_tuning/sysfs-values.js';
import { bootNeeds } from '../_tuning/boot-persistence.js';
import { schema, type RpsArgs } from './schema.js';
import { rpsDiff, SOCK_FLOW, bootUnit, queueGlobs } from './diff.js';
import { rpsInspect } from './inspect.js';

const rps: Module<RpsArgs> = {
  name: 'rps',
  handlers: [daemonReload],
  schema,

  needs(args, ctx) {
    const queries: FactQuery[] = [...bootNeeds(bootUnit(args)), { kind: 'host' }];
    // An offline root has no live queues: the diff reads them on a live host only.
    if (!ctx.offline) queries.push(...sysfsValuesQueries(queueGlobs(args)));
    if (args.rps_sock_flow_entries !== undefined) queries.push({ kind: 'sysctl', key: SOCK_FLOW });
    return queries;
  },

  diff: rpsDiff,

  inspect: rpsInspect,
};

export default rps;
