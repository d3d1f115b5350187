// The per-uid inotify budget. Every switch runs as host root, so all switches share
// root's fs.inotify.max_user_instances (128 by default). A trimmed switch holds 3
// instances (its systemd 2, dbus 1); with too few left, switches die at boot with
// "Too many open files". The lab raises the limit only when it must, says so, and puts
// the original value back when the last lab goes down.
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { labStateRoot } from './paths.js';

export const INOTIFY_LIMIT = '/proc/sys/fs/inotify/max_user_instances';
/** Measured 3 per trimmed switch, plus one for sessions and reloads. */
export const INSTANCES_PER_SWITCH = 4;
const MARGIN = 16;
const originalFile = () => path.join(labStateRoot, 'inotify-max-user-instances.orig');

/** The limit needed to boot `newSwitches` more, or undefined when the current one suffices. */
export function neededLimit(current: number, used: number, newSwitches: number): number | undefined {
  const need = used + INSTANCES_PER_SWITCH * newSwitches + MARGIN;
  return need <= current ? undefined : Math.ceil(need / 128) * 128;
}

/** inotify instances held by root's processes (a shared descriptor counts more than once: errs high). */
export function rootInotifyInstances(): number {
  let count = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!/^Uid:\s+0\s/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) continue;
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        if (readlinkSafe(`/proc/${pid}/fd/${fd}`) === 'anon_inode:inotify') count++;
      }
    } catch {
      // process exited while we looked
    }
  }
  return count;
}

function readlinkSafe(p: string): string | undefined {
  try {
    return readlinkSync(p);
  } catch {
    return undefined;
  }
}

export function currentLimit(): number {
  return Number(readFileSync(INOTIFY_LIMIT, 'utf8'));
}

/** Raises the limit if needed; returns a line to announce, or undefined. */
export async function ensureInotifyBudget(newSwitches: number): Promise<string | undefined> {
  const current = currentLimit();
  const target = neededLimit(current, rootInotifyInstances(), newSwitches);
  if (target === undefined) return undefined;
  await mkdir(labStateRoot, { recursive: true });
  if (!existsSync(originalFile())) await writeFile(originalFile(), `${current}\n`);
  await writeFile(INOTIFY_LIMIT, `${target}\n`);
  return `raised host setting fs.inotify.max_user_instances from ${current} to ${target} (every switch runs as root and holds inotify instances); lab down restores it`;
}

/** Puts back the value found before the first raise; returns a line to announce, or undefined. */
export async function restoreInotifyLimit(): Promise<string | undefined> {
  if (!existsSync(originalFile())) return undefined;
  const original = Number(await readFile(originalFile(), 'utf8'));
  await writeFile(INOTIFY_LIMIT, `${original}\n`);
  await rm(originalFile());
  return `restored host setting fs.inotify.max_user_instances to ${original}`;
}
