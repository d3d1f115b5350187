// A lab switch runs without CAP_SYS_RESOURCE, so its systemd cannot give a service more than the
// container's hard limits, which nspawn inherits from the process running `lab up`. systemd
// clamps silently; the inventory therefore keeps portsyncd's limits within those ceilings, so
// that what the playbook asks for is what the daemon gets (and `verify` can say so).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from './paths.js';

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

/** The limits the playbooks ask for: `portsyncd_limits` of playbooks/defaults/portsyncd.yaml. */
export function playbookLimits(): ServiceLimits {
  const file = path.join(projectRoot, 'playbooks', 'defaults', 'portsyncd.yaml');
  return (parse(readFileSync(file, 'utf8')) as { portsyncd_limits: ServiceLimits }).portsyncd_limits;
}

/** portsyncd's limits, each lowered to the ceiling a lab switch can grant. */
export function labServiceLimits(limitsText = readFileSync('/proc/self/limits', 'utf8'), wanted = playbookLimits()): ServiceLimits {
  const hard = hardLimits(limitsText);
  return {
    nofile: lower(wanted.nofile, hard.nofile) as number,
    nproc: lower(wanted.nproc, hard.nproc) as number,
    memlock: lower(wanted.memlock, hard.memlock),
  };
}
