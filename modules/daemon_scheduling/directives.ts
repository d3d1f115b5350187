// The systemd [Service] directives a daemon_scheduling task sets, validated against the host:
// a CPU that is not online or a NUMA node that does not exist is a plan-time error, because
// systemd would otherwise start the daemon with the setting silently dropped or fail to start it.
import type { PlanContext } from '../../src/module.js';
import type { HostFacts } from '../../src/facts/types.js';
import { formatCpuList, missingFrom, parseCpuList } from '../_tuning/cpu-list.js';
import { resolveCpus } from '../_tuning/host-cpus.js';
import type { DaemonSchedulingArgs } from './schema.js';

export interface Directive {
  key: string;
  value: string;
}

const REALTIME = new Set(['fifo', 'rr']);

function numaNodes(args: DaemonSchedulingArgs, host: HostFacts, ctx: PlanContext, offline: boolean): string | null {
  const policy = args.numa_policy;
  if (args.numa_mask === undefined) {
    if (policy === 'bind' || policy === 'interleave' || policy === 'preferred') {
      ctx.error(`numa_policy "${policy}" needs numa_mask`, ['numa_mask'], 'e.g. numa_mask: "0"');
    }
    return null;
  }
  if (args.numa_mask === 'all') return 'all';
  let nodes: number[];
  try {
    nodes = parseCpuList(args.numa_mask);
  } catch (e) {
    ctx.error(`numa_mask: ${(e as Error).message}`, ['numa_mask']);
    return null;
  }
  const missing = offline ? '' : missingFrom(nodes, host.numaNodes);
  if (missing !== '') {
    ctx.error(
      `numa_mask "${args.numa_mask}" names NUMA node ${missing}, which does not exist (nodes: ${formatCpuList(host.numaNodes)})`,
      ['numa_mask'],
      `use nodes within ${formatCpuList(host.numaNodes)}`,
    );
    return null;
  }
  if (policy === 'preferred' && nodes.length !== 1) {
    ctx.error(`numa_policy "preferred" takes exactly one node, got "${args.numa_mask}"`, ['numa_mask']);
    return null;
  }
  if (!offline && host.numaNodes.length === 1 && (policy === 'bind' || policy === 'interleave')) {
    ctx.warn(`numa_policy "${policy}" has no effect on a host with a single NUMA node`);
  }
  return formatCpuList(nodes);
}

/** Directives in a fixed order, or null after reporting errors through ctx. */
export function directives(args: DaemonSchedulingArgs, host: HostFacts, planCtx: PlanContext): Directive[] | null {
  let errors = 0;
  const ctx: PlanContext = { ...planCtx, error: (...e) => void (errors++, planCtx.error(...e)) };
  const out: Directive[] = [];
  if (args.cpu_affinity !== undefined) {
    const cpus = resolveCpus(args.cpu_affinity, host, ctx, ['cpu_affinity']);
    if (cpus) out.push({ key: 'CPUAffinity', value: formatCpuList(cpus) });
  }
  if (args.numa_policy !== undefined) out.push({ key: 'NUMAPolicy', value: args.numa_policy });
  const mask = numaNodes(args, host, ctx, ctx.offline);
  if (mask !== null) out.push({ key: 'NUMAMask', value: mask });

  const policy = args.cpu_scheduling_policy;
  const priority = args.cpu_scheduling_priority;
  const realtime = policy !== undefined && REALTIME.has(policy);
  if (realtime && (priority === undefined || priority < 1)) {
    ctx.error(`cpu_scheduling_policy "${policy}" needs cpu_scheduling_priority (1-99)`, ['cpu_scheduling_priority']);
  }
  if (priority !== undefined && priority > 0 && !realtime) {
    ctx.error(
      `cpu_scheduling_priority applies only to the fifo and rr policies`,
      ['cpu_scheduling_priority'],
      'set cpu_scheduling_policy: rr (or fifo), or drop the priority',
    );
  }
  if (args.nice !== undefined) {
    if (realtime) ctx.warn(`nice ${args.nice} has no effect under the real-time policy "${policy}"`);
    out.push({ key: 'Nice', value: String(args.nice) });
  }
  if (policy !== undefined) out.push({ key: 'CPUSchedulingPolicy', value: policy });
  if (priority !== undefined) out.push({ key: 'CPUSchedulingPriority', value: String(priority) });
  if (args.limit_nofile !== undefined) out.push({ key: 'LimitNOFILE', value: String(args.limit_nofile) });
  if (args.limit_nproc !== undefined) out.push({ key: 'LimitNPROC', value: String(args.limit_nproc) });
  if (args.limit_memlock !== undefined) out.push({ key: 'LimitMEMLOCK', value: String(args.limit_memlock) });
  return errors === 0 ? out : null;
}
