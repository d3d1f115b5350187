// The whole machine's CPU across a run, from /proc/stat: how much of the cores stayed idle, and how
// much went to anything but the measured tool and the lab's switches (the benchmark itself, the
// kernel's work no cgroup is charged for, other processes). On a shared 2-core machine these say
// whether a run was CPU-bound and how much of its wall time was someone else's.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface MachineCpu {
  /** Core-seconds in every state but idle and iowait. */
  busy: number;
  /** Core-seconds idle or waiting for I/O. */
  idle: number;
}

/** The first line of /proc/stat in core-seconds. Guest time is already counted in user and nice. */
export function parseProcStat(text: string, ticksPerSecond: number): MachineCpu {
  const fields = /^cpu\s+([\d\s]+)/.exec(text)?.[1]?.trim().split(/\s+/).map(Number);
  if (!fields || fields.length < 4 || fields.some((f) => !Number.isFinite(f))) throw new Error('/proc/stat has no "cpu" line');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return { busy: (user + nice + system + irq + softirq + steal) / ticksPerSecond, idle: (idle + iowait) / ticksPerSecond };
}

let ticks: number | undefined;

/** The machine's CPU so far, or undefined where /proc/stat or getconf is not there. */
export function machineCpu(): MachineCpu | undefined {
  try {
    ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return parseProcStat(readFileSync('/proc/stat', 'utf8'), ticks);
  } catch {
    return undefined;
  }
}

export function cpuBetween(before: MachineCpu, after: MachineCpu): MachineCpu {
  return { busy: after.busy - before.busy, idle: after.idle - before.idle };
}
