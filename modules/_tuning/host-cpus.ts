// CPU lists checked against the host: a list naming an offline CPU is a plan-time error, because
// the kernel would refuse it (smp_affinity_list, rps_cpus) or systemd would silently drop it.
import type { PlanContext } from '../../src/module.js';
import type { HostFacts } from '../../src/facts/types.js';
import { cpuListSchema, formatCpuList, missingFrom, parseCpuList } from './cpu-list.js';

export const cpusArgSchema = {
  anyOf: [cpuListSchema, { const: 'all', description: 'every online CPU' }],
} as const;

/**
 * The CPUs a `cpus` arg names on this host, or null after reporting an error. `all` means every
 * online CPU. On an offline root the online CPUs are unknown, so the list is taken as written.
 */
export function resolveCpus(value: string, host: HostFacts, ctx: PlanContext, argPath: (string | number)[]): number[] | null {
  const online = host.cpusOnline;
  if (value === 'all') {
    if (online.length > 0) return [...online];
    ctx.error(`"all" CPUs is unknown here (the online CPUs were not readable)`, argPath, 'name the CPUs explicitly, e.g. "0-3"');
    return null;
  }
  let cpus: number[];
  try {
    cpus = parseCpuList(value);
  } catch (e) {
    ctx.error(`${(e as Error).message}`, argPath);
    return null;
  }
  const missing = online.length > 0 ? missingFrom(cpus, online) : '';
  if (missing !== '') {
    ctx.error(
      `CPU list "${value}" names CPU ${missing}, which is not online (online: ${formatCpuList(online)})`,
      argPath,
      `use CPUs within ${formatCpuList(online)}, or "all"`,
    );
    return null;
  }
  return cpus;
}

/** Two CPU lists as text, compared by meaning ("0,1" equals "0-1"); unreadable text never matches. */
export function sameCpuList(current: string | null | undefined, wanted: readonly number[]): boolean {
  if (current === null || current === undefined) return false;
  try {
    return formatCpuList(parseCpuList(current)) === formatCpuList(wanted);
  } catch {
    return false;
  }
}
