// Where the lab keeps things on the host. Nothing here lives in the repository except
// the generated inventory of the default lab.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Root of the checkout or installed package (this file is at dist/lab/paths.js). */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Shell scripts and unit files copied into the root filesystem. */
export const rootfsFilesDir = path.join(projectRoot, 'lab', 'rootfs-files');

/** Debootstrapped root filesystems, one directory per cache key. */
export const rootfsCacheDir = process.env.PORTSYNC_LAB_CACHE_DIR ?? '/var/cache/portsync-deploy';

/** Per-lab state: switch records, client key, writable layers, console logs. */
export const labStateRoot = process.env.PORTSYNC_LAB_STATE_DIR ?? '/var/lib/portsync-deploy/lab';

export const defaultLabName = 'lab';

export function labStateDir(name: string): string {
  return path.join(labStateRoot, name);
}

/** The default lab writes the repository's inventories/lab; other labs keep theirs in their state dir. */
export function defaultInventoryDir(name: string): string {
  return name === defaultLabName ? path.join(projectRoot, 'inventories', 'lab') : path.join(labStateDir(name), 'inventory');
}

/** The folder under each cgroup hierarchy that holds the labs' switches (see cgroups.ts). */
export const cgroupLabDir = 'portsync-lab';
