// Which requested keys the running kernel has, read by the sysctl module itself: one script of
// builtins per task, run in the gather's own shell (inShell, no process), tests each key's file
// under /proc/sys and, for a key that is missing, lists the names beside it (for "did you mean").
// A key that exists prints nothing, so where every key exists the gather gives that answer by its
// own tests, without the script's subshell (quietWhenExist). The kernel release names the kernel
// in messages.
import type { Facts, FactQuery } from '../../src/facts/types.js';
import type { PlanContext } from '../../src/module.js';
import { sysctlPath } from '../../src/facts/gather-script.js';

/** Positional args are /proc/sys paths; output: "absent PATH", then "near NAME" per sibling. */
const SCRIPT =
  'for p; do [ -e "$p" ] && continue; echo "absent $p"; for s in "${p%/*}"/*; do [ -e "$s" ] && echo "near ${s##*/}"; done; done';

const RELEASE = 'kernel.osrelease';
const PROC_SYS = '/proc/sys';

function keysArgv(keys: readonly string[]): string[] {
  return ['sh', '-c', SCRIPT, 'sh', ...keys.map(sysctlPath)];
}

/** The queries: each key's presence and the release. An offline root runs nothing: its own
 *  /proc/sys tree, when it has one (a captured image), is looked at path by path. */
export function kernelKeyQueries(keys: readonly string[], ctx: PlanContext): FactQuery[] {
  if (keys.length === 0) return [];
  if (ctx.offline) return [{ kind: 'stat', path: PROC_SYS }, ...keys.map((k): FactQuery => ({ kind: 'stat', path: sysctlPath(k) }))];
  return [
    // Every key there: the script prints nothing, so the gather need not run it.
    { kind: 'cmd', argv: keysArgv(keys), inShell: true, quietWhenExist: keys.map(sysctlPath) },
    { kind: 'sysctl', key: RELEASE },
  ];
}

export interface KernelKeys {
  /** Keys of the task the kernel lacks, with the names of the keys beside each. */
  absent: Map<string, string[]>;
  /** The kernel release ('' when unknown). */
  release: string;
}

/** Parse the answer of kernelKeyQueries; undefined when the target cannot tell (an offline root
 *  without a /proc/sys tree, a failed check). */
export function kernelKeys(facts: Facts, keys: readonly string[], ctx: PlanContext): KernelKeys | undefined {
  if (keys.length === 0) return undefined;
  if (ctx.offline) {
    if (facts.stat(PROC_SYS)?.type !== 'dir') return undefined;
    return { absent: new Map(keys.filter((k) => facts.stat(sysctlPath(k)) === null).map((k) => [k, []])), release: '' };
  }
  const out = facts.cmd(keysArgv(keys));
  if (out.rc !== 0) return undefined;
  const byPath = new Map(keys.map((k) => [sysctlPath(k), k] as const));
  const absent = new Map<string, string[]>();
  let near: string[] | undefined;
  for (const line of out.stdout.split('\n')) {
    if (line.startsWith('absent ')) {
      const key = byPath.get(line.slice('absent '.length));
      if (key !== undefined) absent.set(key, (near = []));
    } else if (line.startsWith('near ') && near) near.push(line.slice('near '.length));
  }
  return { absent, release: facts.sysctl(RELEASE)?.trim() ?? '' };
}
