// The rps module's diff: each rx queue's mask (and flow count) written live where it drifts, and
// the boot script and unit that restore them.
import type { Change, PlanContext } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import { asList, matchNames } from '../_tuning/interfaces.js';
import { resolveCpus } from '../_tuning/host-cpus.js';
import { cpuListToMask, formatCpuList, maskToCpuList } from '../_tuning/cpu-list.js';
import { liveDiff, liveWriteOp, type LiveWrite } from '../_tuning/live-write.js';
import { sysfsValues } from '../_tuning/sysfs-values.js';
import { bootInstallChanges, bootRemovalChanges, renderBootFiles, type BootUnit } from '../_tuning/boot-persistence.js';
import type { RpsArgs } from './schema.js';

export const SOCK_FLOW = 'net.core.rps_sock_flow_entries';

export const queueFile = (nic: string, queue: string, file: string) => `/sys/class/net/${nic}/queues/${queue}/${file}`;
export const queueGlob = (pattern: string, file: string) => `/sys/class/net/${pattern}/queues/rx-*/${file}`;

export function bootUnit(args: RpsArgs): BootUnit {
  return {
    module: 'rps',
    description: `RPS of ${asList(args.interfaces).join(', ')}`,
    scriptPath: '/usr/local/sbin/portsyncd-rps.sh',
    unitName: 'portsyncd-tuning-rps.service',
  };
}

/** Same cpu set, whatever the mask's width or comma grouping ("0" equals "00000000,00000000"). */
export function sameMask(current: string | null, want: readonly number[]): boolean {
  if (current === null) return false;
  try {
    return formatCpuList(maskToCpuList(current)) === formatCpuList(want);
  } catch {
    return false;
  }
}

export interface QueueValue {
  path: string;
  current: string | null;
  want: string;
  ok: boolean;
}

/** The queue files a task reads: both, whether it sets rps_flow_cnt or not, so that the tasks
 *  that turn RPS on and off for the same interfaces share one query. */
export function queueGlobs(args: RpsArgs): string[] {
  return asList(args.interfaces).flatMap((p) => ['rps_cpus', 'rps_flow_cnt'].map((f) => queueGlob(p, f)));
}

/** Every matched rx queue's rps_cpus (and rps_flow_cnt when wanted), with the value it should hold. */
export function queueValues(facts: Facts, args: RpsArgs, cpus: number[]): QueueValue[] {
  const values = sysfsValues(facts, queueGlobs(args));
  const mask = cpuListToMask(cpus);
  const out: QueueValue[] = [];
  // The rx queues are the rps_cpus files the globs matched (every queue has one).
  const queues = Object.keys(values).flatMap((p) => {
    const m = /^\/sys\/class\/net\/([^/]+)\/queues\/(rx-\d+)\/rps_cpus$/.exec(p);
    return m ? [{ name: m[1]!, queue: m[2]! }] : [];
  });
  for (const { name, queue } of matchNames(queues, args.interfaces)) {
    const path = queueFile(name, queue, 'rps_cpus');
    const current = values[path] ?? null;
    out.push({ path, current, want: mask, ok: sameMask(current, cpus) });
    if (args.rps_flow_cnt !== undefined) {
      const cntPath = queueFile(name, queue, 'rps_flow_cnt');
      const cnt = values[cntPath] ?? null;
      out.push({ path: cntPath, current: cnt, want: String(args.rps_flow_cnt), ok: cnt === String(args.rps_flow_cnt) });
    }
  }
  return out;
}

export function sockFlowValue(facts: Facts, args: RpsArgs): QueueValue | null {
  if (args.rps_sock_flow_entries === undefined) return null;
  const current = facts.sysctl(SOCK_FLOW)?.trim() ?? null;
  const want = String(args.rps_sock_flow_entries);
  // 0 (RFS off) is the kernel default, and what a network namespace without the global table has.
  if (current === null && want === '0') return null;
  return { path: `/proc/sys/${SOCK_FLOW.replace(/\./g, '/')}`, current, want, ok: current === want };
}

export function bootFiles(ctx: PlanContext, args: RpsArgs, cpus: number[]) {
  return renderBootFiles(ctx, bootUnit(args), {
    // 0 is the value every boot starts with: nothing to restore.
    sockFlowEntries: args.rps_sock_flow_entries ? String(args.rps_sock_flow_entries) : null,
    rpsRules: asList(args.interfaces).map((pattern) => ({
      pattern,
      cpus: formatCpuList(cpus),
      mask: cpuListToMask(cpus),
      flowCnt: args.rps_flow_cnt === undefined ? null : String(args.rps_flow_cnt),
    })),
  });
}

export function liveChange(summary: string, values: QueueValue[]): Change[] {
  const drift = values.filter((v) => !v.ok);
  if (drift.length === 0) return [];
  const writes: LiveWrite[] = drift.map((v) => ({ path: v.path, value: v.want }));
  return [
    {
      summary,
      diff: liveDiff(drift.map((v) => ({ label: v.path, before: v.current, after: v.want }))),
      ops: [liveWriteOp(writes)],
    },
  ];
}

export function rpsDiff(facts: Facts, args: RpsArgs, ctx: PlanContext): Change[] {
  if (args.state === 'absent') {
    // RPS off (mask 0) is the kernel's default; turning it off now matches what the next boot gives.
    const live = ctx.offline
      ? []
      : liveChange(`RPS off for ${asList(args.interfaces).join(', ')}`, queueValues(facts, { ...args, rps_flow_cnt: undefined }, []));
    return [...live, ...bootRemovalChanges(facts, bootUnit(args))];
  }
  const cpus = resolveCpus(args.cpus!, facts.host, ctx, ['cpus']); // the schema requires cpus when present
  if (!cpus) return [];
  const rfs = args.rps_sock_flow_entries;
  if (rfs !== undefined && rfs !== 0 && (rfs & (rfs - 1)) !== 0) {
    ctx.warn(`rps_sock_flow_entries ${rfs} is rounded up by the kernel to a power of two`);
  }
  const changes: Change[] = [];
  if (!ctx.offline) {
    const values = queueValues(facts, args, cpus);
    if (values.length === 0) {
      ctx.warn(`no rx queue matches ${asList(args.interfaces).join(', ')}; only the boot script is installed`);
    }
    const sock = sockFlowValue(facts, args);
    if (sock?.current === null) {
      ctx.error(
        `${SOCK_FLOW} does not exist here (a network namespace without the global RFS table?)`,
        ['rps_sock_flow_entries'],
        'leave rps_sock_flow_entries unset or 0 on this host',
      );
      return [];
    }
    if (sock && !sock.ok) changes.push(...liveChange(`${SOCK_FLOW}: ${sock.current ?? '(absent)'} -> ${sock.want}`, [sock]));
    changes.push(...liveChange(`RPS of ${asList(args.interfaces).join(', ')} -> CPUs ${formatCpuList(cpus)}`, values));
  }
  return [...changes, ...bootInstallChanges(facts, bootUnit(args), bootFiles(ctx, args, cpus))];
}
