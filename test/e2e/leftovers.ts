// What a lab may leave behind on the host; `down` must leave none of it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cgroupHierarchies } from '../../lab/cgroups.js';
import { run } from '../../lab/exec.js';
import { labDown } from '../../lab/lab.js';
import { cgroupLabDir, labStateDir } from '../../lab/paths.js';

export async function labLeftovers(name: string): Promise<string[]> {
  const found: string[] = [];
  const netns = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(`${name}-`)) : [];
  found.push(...netns.map((n) => `network namespace ${n}`));
  const links = (await run(['ip', '-o', 'link', 'show'])).stdout;
  for (const m of links.matchAll(/^\d+: ([^:@]+)/gm)) {
    if (m[1] === `psbr-${name}` || m[1].startsWith(`ps${name}-`)) found.push(`link ${m[1]}`);
  }
  for (const root of cgroupHierarchies()) {
    if (existsSync(`${root}/${cgroupLabDir}/${name}`)) found.push(`cgroup ${root}/${cgroupLabDir}/${name}`);
  }
  if (existsSync(labStateDir(name))) found.push(`state dir ${labStateDir(name)}`);
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    if (line.includes(`${labStateDir(name)}/`)) found.push(`mount ${line.split(' ')[4]}`);
  }
  return found;
}

/** Brings the lab down and fails when anything of it is left on the host. */
export async function labDownClean(name: string): Promise<void> {
  await labDown(name);
  const left = await labLeftovers(name);
  if (left.length) throw new Error(`lab down left behind: ${left.join(', ')}`);
}
