// Mount helpers that never let a recursive delete walk into a mounted filesystem.
import { readFile } from 'node:fs/promises';
import { run, runOk } from './exec.js';

/** Mount points at or below dir, deepest first. */
export async function mountsBelow(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  return info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mnt): mnt is string => !!mnt && (mnt === dir || mnt.startsWith(prefix)))
    .map((mnt) => mnt.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length);
}

export async function isMountPoint(dir: string): Promise<boolean> {
  return (await mountsBelow(dir)).includes(dir);
}

/** Unmounts everything below dir (lazily, so a busy mount cannot block teardown), then deletes it. */
export async function removeTree(dir: string): Promise<void> {
  for (const mnt of await mountsBelow(dir)) await run(['umount', '-l', mnt]);
  await runOk(['rm', '-rf', '--one-file-system', dir]);
}
