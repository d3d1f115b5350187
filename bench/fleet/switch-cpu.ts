// Where a lab's switch CPU goes while a command runs (or while the lab idles): each switch's
// cgroup usage_usec, and the part of it that each long-lived process of the switch used (systemd,
// journald, sshd's listener, Redis, the daemon), by the kernel's per-thread run time
// (/proc/PID/task/TID/schedstat, in ns, so a few milliseconds show). The rest is what processes
// that started and ended meanwhile used: SSH sessions, their shells and the commands they ran.
//   node dist/bench/fleet/switch-cpu.js LAB --idle SECONDS
//   node dist/bench/fleet/switch-cpu.js LAB -- COMMAND [ARGS...]
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { cgroupHierarchies } from '../../lab/cgroups.js';
import { cgroupLabDir } from '../../lab/paths.js';

/** A switch at one moment: its cgroup's CPU, and each long-lived process's run time by PID. */
interface SwitchSample {
  usageUs: number;
  processes: Map<number, { name: string; runNs: number }>;
}

const SHORT_LIVED = 'sessions, shells and commands';

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The lab's folder in the unified hierarchy, the one that accounts CPU (cpu.stat). */
function labDir(lab: string): string {
  const dir = cgroupHierarchies()
    .map((root) => path.join(root, cgroupLabDir, lab))
    .find((d) => existsSync(path.join(d, 'cpu.stat')));
  if (!dir) throw new Error(`no CPU accounting for lab ${lab}: is it up, on a host with a unified cgroup hierarchy?`);
  return dir;
}

/** Run time of every thread of a process, in ns (0 once it is gone). */
function runNs(pid: number): number {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let ns = 0;
  for (const tid of threads) ns += Number(readOr(`/proc/${pid}/task/${tid}/schedstat`).split(' ')[0] || 0);
  return ns;
}

function sample(dir: string, switches: string[]): Map<string, SwitchSample> {
  const out = new Map<string, SwitchSample>();
  for (const sw of switches) {
    const usageUs = Number(/^usage_usec (\d+)$/m.exec(readOr(path.join(dir, sw, 'cpu.stat')))?.[1] ?? NaN);
    const processes = new Map<number, { name: string; runNs: number }>();
    for (const part of ['payload', 'supervisor']) {
      for (const pid of readOr(path.join(dir, sw, part, 'cgroup.procs'))
        .split('\n')
        .filter(Boolean)
        .map(Number)) {
        const name = readOr(`/proc/${pid}/comm`).trim();
        processes.set(pid, { name: part === 'supervisor' ? `${name} (supervisor)` : name, runNs: runNs(pid) });
      }
    }
    out.set(sw, { usageUs, processes });
  }
  return out;
}

const ms = (x: number) => Math.round(x * 10) / 10;

function main(): void {
  const [lab, ...rest] = process.argv.slice(2);
  const dash = rest.indexOf('--');
  const idle = rest[0] === '--idle' ? Number(rest[1]) : undefined;
  if (!lab || (dash === -1 && !(idle !== undefined && idle > 0)))
    throw new Error('usage: switch-cpu.js LAB --idle SECONDS | switch-cpu.js LAB -- COMMAND [ARGS...]');
  const dir = labDir(lab);
  const switches = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  const before = sample(dir, switches);
  const t0 = performance.now();
  let exit: number | null = 0;
  if (idle !== undefined) spawnSync('sleep', [String(idle)]);
  else exit = spawnSync(rest[dash + 1], rest.slice(dash + 2), { stdio: ['ignore', 'ignore', 'inherit'] }).status;
  const wallMs = performance.now() - t0;
  const after = sample(dir, switches);

  const perSwitch: Record<string, number> = {};
  const byProcess: Record<string, number> = {};
  let total = 0;
  for (const sw of switches) {
    const a = before.get(sw)!;
    const b = after.get(sw)!;
    const used = (b.usageUs - a.usageUs) / 1000;
    let longLived = 0;
    for (const [pid, p] of b.processes) {
      const then = a.processes.get(pid);
      if (!then) continue; // started meanwhile: counted with the short-lived ones
      const d = (p.runNs - then.runNs) / 1e6;
      longLived += d;
      byProcess[p.name] = (byProcess[p.name] ?? 0) + d;
    }
    byProcess[SHORT_LIVED] = (byProcess[SHORT_LIVED] ?? 0) + used - longLived;
    perSwitch[sw] = ms(used);
    total += used;
  }
  const split = Object.entries(byProcess)
    .sort((x, y) => y[1] - x[1])
    .map(([name, v]): [string, number] => [name, ms(v)]);
  console.log(
    JSON.stringify({
      exit,
      wallMs: Math.round(wallMs),
      totalMs: ms(total),
      perSwitchMs: perSwitch,
      byProcessMs: Object.fromEntries(split),
    }),
  );
}

main();
