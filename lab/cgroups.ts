// One cgroup per switch, in the named systemd v1 hierarchy and in the unified one.
// Without a systemd on the host, nspawn --keep-unit would otherwise put every switch
// in the caller's cgroup, where the switches' systemd instances share service cgroups
// and stop each other's services.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { cgroupLabDir } from './paths.js';

interface Hierarchy {
  mountPoint: string;
  unified: boolean;
}
let hierarchies: Hierarchy[] | undefined;

/**
 * Mount points of the hierarchies a switch needs, found from this host's mounts. Only
 * those under /sys/fs/cgroup count: nspawn briefly mounts the same hierarchies under
 * /tmp while it sets a container up.
 */
export function cgroupHierarchies(): string[] {
  return (hierarchies ??= findHierarchies()).map((h) => h.mountPoint);
}

function findHierarchies(): Hierarchy[] {
  const roots: Hierarchy[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!post) continue;
    const mountPoint = pre.split(' ')[4];
    const [fstype, , superOpts = ''] = post.split(' ');
    const named = fstype === 'cgroup' && superOpts.split(',').includes('name=systemd');
    const standard = mountPoint === '/sys/fs/cgroup' || mountPoint.startsWith('/sys/fs/cgroup/');
    if ((named || fstype === 'cgroup2') && standard && !roots.some((r) => r.mountPoint === mountPoint))
      roots.push({ mountPoint, unified: fstype === 'cgroup2' });
  }
  return roots;
}

/** CPU seconds every switch of the lab has used so far (the unified hierarchy's accounting, which
 *  needs no controller enabled), or undefined where there is no unified hierarchy. */
export function labCpuSeconds(lab: string): number | undefined {
  const unified = (hierarchies ??= findHierarchies()).find((h) => h.unified);
  if (!unified) return undefined;
  const stat = readFileSync(path.join(unified.mountPoint, cgroupLabDir, lab, 'cpu.stat'), 'utf8');
  const usec = /^usage_usec (\d+)$/m.exec(stat)?.[1];
  return usec === undefined ? undefined : Number(usec) / 1e6;
}

export function switchCgroups(lab: string, switchName: string): string[] {
  return cgroupHierarchies().map((root) => path.join(root, cgroupLabDir, lab, switchName));
}

export async function createSwitchCgroups(lab: string, switchName: string): Promise<string[]> {
  const dirs = switchCgroups(lab, switchName);
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  return dirs;
}

/** Every process in the switch's cgroup tree (supervisor, nspawn and the whole container). */
export function switchProcesses(lab: string, switchName: string): number[] {
  const pids = new Set<number>();
  const walk = (dir: string) => {
    let entries;
    let procs;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
      procs = readFileSync(path.join(dir, 'cgroup.procs'), 'utf8');
    } catch {
      return; // the switch's systemd removed this cgroup while we looked
    }
    for (const pid of procs.split('\n')) if (pid) pids.add(Number(pid));
    for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  for (const dir of switchCgroups(lab, switchName)) walk(dir);
  return [...pids];
}

/** The container's PID 1 (systemd), seen from the host, or undefined while none runs. */
export function leaderPid(lab: string, switchName: string): number | undefined {
  for (const pid of switchProcesses(lab, switchName)) {
    try {
      const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1].split(/\s+/);
      if (nspid && nspid.length > 1 && nspid[nspid.length - 1] === '1') return pid;
    } catch {
      // exited while we looked
    }
  }
  return undefined;
}

/** Removes the switch's cgroups (deepest first), then the lab's and the tool's parents once empty. */
export async function removeSwitchCgroups(lab: string, switchName: string): Promise<void> {
  for (const dir of switchCgroups(lab, switchName)) {
    await removeCgroupTree(dir);
    for (const parent of [path.dirname(dir), path.dirname(path.dirname(dir))]) {
      await rmdir(parent).catch(() => undefined); // still used by another switch or lab
    }
  }
}

async function removeCgroupTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) await removeCgroupTree(path.join(dir, e.name));
  }
  await rmdir(dir);
}
