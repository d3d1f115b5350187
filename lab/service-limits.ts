// A lab switch runs without CAP_SYS_RESOURCE, so its systemd cannot give a service more than the
// container's hard limits, which nspawn inherits from the process running `lab up`. systemd
// clamps silently; the inventory therefore keeps portsyncd's limits within those ceilings, so
// that what the playbook asks for is what the daemon gets (and `verify` can say so).
import { readFileSync } from 'node:fs';

/** portsyncd's default limits (playbooks/defaults/portsyncd.yaml). */
const WANTED = { nofile: 65536, nproc: 4096, memlock: 'infinity' as number | 'infinity' };
const ROWS = { nofile: 'Max open files', nproc: 'Max processes', memlock: 'Max locked memory' } as const;

export interface ServiceLimits {
  nofile: number;
  nproc: number;
  memlock: number | 'infinity';
}

/** Hard limits as /proc/<pid>/limits lists them; 'infinity' for unlimited. */
export function hardLimits(limitsText: string): Partial<Record<keyof typeof ROWS, number | 'infinity'>> {
  const out: Partial<Record<keyof typeof ROWS, number | 'infinity'>> = {};
  for (const [key, row] of Object.entries(ROWS) as [keyof typeof ROWS, string][]) {
    const m = new RegExp(`^${row}\\s+\\S+\\s+(\\S+)`, 'm').exec(limitsText);
    if (m) out[key] = m[1] === 'unlimited' ? 'infinity' : Number(m[1]);
  }
  return out;
}

const lower = (a: number | 'infinity', b: number | 'infinity' | undefined) =>
  b === undefined || b === 'infinity' ? a : a === 'infinity' ? b : Math.min(a, b);

/** portsyncd's limits, each lowered to the ceiling a lab switch can grant. */
export function labServiceLimits(limitsText = readFileSync('/proc/self/limits', 'utf8')): ServiceLimits {
  const hard = hardLimits(limitsText);
  return {
    nofile: lower(WANTED.nofile, hard.nofile) as number,
    nproc: lower(WANTED.nproc, hard.nproc) as number,
    memlock: lower(WANTED.memlock, hard.memlock),
  };
}
