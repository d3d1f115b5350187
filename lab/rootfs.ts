// The switches' shared root filesystem: Debian bookworm from debootstrap, set up once and
// cached outside the repository under a key made of its package list and setup files.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { runOk } from './exec.js';
import { removeTree } from './mounts.js';
import { rootfsCacheDir, rootfsFilesDir } from './paths.js';

export interface RootfsSpec {
  suite: string;
  mirror: string;
  variant: string;
  packages: string[];
}

export const ROOTFS_SPEC: RootfsSpec = {
  suite: 'bookworm',
  mirror: 'http://deb.debian.org/debian',
  variant: 'minbase',
  // python3 only so that the same lab can host Ansible for comparison. No Node.js: the
  // daemon deployed later must bring its own runtime.
  packages: ['systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'redis-server', 'iproute2', 'procps', 'python3', 'sudo'],
};

export interface SetupFile {
  name: string;
  content: string;
}

export function readSetupFiles(dir = rootfsFilesDir): SetupFile[] {
  return readdirSync(dir)
    .sort()
    .map((name) => ({ name, content: readFileSync(path.join(dir, name), 'utf8') }));
}

/** Changes whenever the package list, the mirror or any setup file changes. */
export function rootfsKey(spec: RootfsSpec, files: SetupFile[]): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ ...spec, packages: [...spec.packages].sort() }));
  for (const f of files) hash.update(`\0${f.name}\0${f.content}`);
  return hash.digest('hex').slice(0, 16);
}

export function rootfsPath(key: string): string {
  return path.join(rootfsCacheDir, `rootfs-${key}`);
}

/** Node must never be in the switch: the daemon has to ship its own runtime. */
const FORBIDDEN = ['usr/bin/node', 'usr/bin/nodejs'];

/**
 * Returns the cached rootfs, building it first if needed. The build happens in a
 * private directory that is renamed into place only when complete, so an interrupted
 * build never leaves a half cache behind.
 */
export async function ensureRootfs(log: (line: string) => void): Promise<string> {
  const files = readSetupFiles();
  const target = rootfsPath(rootfsKey(ROOTFS_SPEC, files));
  if (existsSync(path.join(target, 'usr/lib/os-release'))) return target;

  await mkdir(rootfsCacheDir, { recursive: true });
  await removeStaleBuilds();
  const build = path.join(rootfsCacheDir, `.build-${process.pid}`);
  await removeTree(build);
  await mkdir(build);
  const root = path.join(build, 'rootfs');
  try {
    log(`building the switch root filesystem with debootstrap (${ROOTFS_SPEC.suite}, about a minute) into ${target}`);
    const spec = ROOTFS_SPEC;
    await runOk(['debootstrap', `--variant=${spec.variant}`, `--include=${spec.packages.join(',')}`, spec.suite, root, spec.mirror]);
    const staged = path.join(root, 'tmp/portsync-lab-setup');
    await cp(rootfsFilesDir, staged, { recursive: true });
    await runOk(['chroot', root, '/bin/sh', '/tmp/portsync-lab-setup/setup.sh']);
    const found = FORBIDDEN.filter((p) => existsSync(path.join(root, p)));
    if (found.length) throw new Error(`the switch rootfs must not contain Node.js, but has /${found.join(', /')}`);
    try {
      await rename(root, target);
    } catch (err) {
      // Another lab finished the same build first; its copy is as good as ours.
      if (!existsSync(path.join(target, 'usr/lib/os-release'))) throw err;
    }
  } finally {
    await removeTree(build);
  }
  log(`root filesystem cached at ${target}`);
  return target;
}

/** Cached root filesystems other than `current`, e.g. left by an older package list. */
export function otherRootfsCaches(current: string): string[] {
  if (!existsSync(rootfsCacheDir)) return [];
  return readdirSync(rootfsCacheDir)
    .filter((e) => e.startsWith('rootfs-'))
    .map((e) => path.join(rootfsCacheDir, e))
    .filter((p) => p !== current);
}

/** Build directories whose builder process is gone (interrupted builds). */
async function removeStaleBuilds(): Promise<void> {
  for (const entry of readdirSync(rootfsCacheDir)) {
    const m = /^\.build-(\d+)$/.exec(entry);
    if (m && !processAlive(Number(m[1]))) await removeTree(path.join(rootfsCacheDir, entry));
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
