// Each switch's root: the shared read-only rootfs under a writable overlay kept on disk
// in the lab's state dir. Unlike nspawn's --volatile=overlay, the writable layer
// survives a reboot of the switch, as a real switch's disk does: units and files a
// playbook deploys are still there after the reboot. It is deleted at `lab down`.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runOk } from './exec.js';
import { isMountPoint, removeTree } from './mounts.js';
import { switchDir } from './state.js';

export function switchRoot(lab: string, switchName: string): string {
  return path.join(switchDir(lab, switchName), 'root');
}

export async function mountSwitchRoot(lab: string, switchName: string, rootfs: string): Promise<string> {
  const dir = switchDir(lab, switchName);
  const root = switchRoot(lab, switchName);
  if (await isMountPoint(root)) return root;
  for (const sub of ['upper', 'work', 'root']) await mkdir(path.join(dir, sub), { recursive: true });
  const opts = `lowerdir=${rootfs},upperdir=${path.join(dir, 'upper')},workdir=${path.join(dir, 'work')}`;
  await runOk(['mount', '-t', 'overlay', `portsync-lab-${lab}-${switchName}`, '-o', opts, root]);
  return root;
}

/** Unmounts the switch's root and deletes its writable layer, logs and keys. */
export async function removeSwitchFiles(lab: string, switchName: string): Promise<void> {
  await removeTree(switchDir(lab, switchName));
}
