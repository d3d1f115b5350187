// Runtime directories that `ip netns` and nspawn create on the host as a side effect.
// The first lab records which of them did not exist yet; the last lab to go down
// removes those again (only when empty: something else may have started using them).
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './exec.js';
import { isMountPoint } from './mounts.js';
import { labStateRoot } from './paths.js';

/** Deepest first, so that parents are empty when their turn comes. */
const SIDE_EFFECT_DIRS = ['/run/netns', '/run/systemd/nspawn/locks', '/run/systemd/nspawn/propagate', '/run/systemd/nspawn'];
const recordFile = () => path.join(labStateRoot, 'host-dirs-created.json');

export async function recordHostDirs(): Promise<void> {
  if (existsSync(recordFile())) return;
  await mkdir(labStateRoot, { recursive: true });
  await writeFile(recordFile(), JSON.stringify(SIDE_EFFECT_DIRS.filter((d) => !existsSync(d))) + '\n');
}

export async function removeHostDirs(): Promise<void> {
  if (!existsSync(recordFile())) return;
  const created = JSON.parse(await readFile(recordFile(), 'utf8')) as string[];
  for (const dir of created) {
    if (!existsSync(dir) || readdirSync(dir).length) continue;
    // `ip netns` makes /run/netns a mount point of its own.
    if (await isMountPoint(dir)) await run(['umount', dir]);
    await rmdir(dir).catch(() => undefined);
  }
  await rm(recordFile());
}
