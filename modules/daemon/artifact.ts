// The local artifact: its path, sha256 and release id (the hash prefix the bundle names it by).
// `npm run bundle` writes the sha256 beside it (<artifact>.sha256), so a run does not hash 32 MB
// before its first connection; any other artifact is hashed once per process, keyed by path, size
// and mtime, however many hosts receive it. The switch checks the upload against the sha256.
import { createHash } from 'node:crypto';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../../src/package-root.js';

export interface Artifact {
  path: string;
  sha256: string;
  /** Release directory name: the first 12 hex digits of the sha256. */
  id: string;
  size: number;
}

export const BUNDLE_DIR = join(PACKAGE_ROOT, 'build/portsyncd');
export const RELEASE_ID_DIGITS = 12;

const cache = new Map<string, { stamp: string; artifact: Artifact }>();

/** CPU architectures an artifact is built for, by `uname -m` of the switch. */
export type Arch = 'x64' | 'arm64';
const UNAME_ARCH: Record<string, Arch> = { x86_64: 'x64', aarch64: 'arm64', arm64: 'arm64' };
export function archOfMachine(machine: string): Arch | undefined {
  return UNAME_ARCH[machine.trim()];
}
/** The file naming each architecture's latest bundle (`npm run bundle [-- --arch arm64]`). */
const LATEST: Record<Arch, string> = { x64: 'LATEST', arm64: 'LATEST-arm64' };

const latestCache = new Map<string, { stamp: string; path: string }>();

/** The artifact `npm run bundle` built last for the architecture (build/portsyncd/LATEST[-arm64] names it). */
export function latestArtifactPath(bundleDir = BUNDLE_DIR, arch: Arch = 'x64'): string {
  const file = join(bundleDir, LATEST[arch]);
  // Every host's plan asks; the file is read again only when it changed. Most builds have no
  // arm64 artifact: a missing file is told without Node's costlier error of a failed stat.
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) throw Object.assign(new Error(`no such file: ${file}`), { code: 'ENOENT', path: file });
  const stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
  const hit = latestCache.get(file);
  if (hit?.stamp === stamp) return hit.path;
  const path = join(bundleDir, readFileSync(file, 'utf8').trim());
  latestCache.set(file, { stamp, path });
  return path;
}

export function resolveArtifactPath(arg: string | null | undefined, playbookDir: unknown, arch: Arch = 'x64'): string {
  if (arg === undefined || arg === null) return latestArtifactPath(BUNDLE_DIR, arch);
  if (isAbsolute(arg)) return arg;
  return resolve(typeof playbookDir === 'string' ? playbookDir : process.cwd(), arg);
}

/**
 * The sha256 the bundle wrote beside the artifact: trusted only when that file is no older than
 * the artifact, names it, and agrees with the hash prefix in the artifact's name.
 */
function bundledSha256(path: string, st: Stats): string | undefined {
  const sidecar = `${path}.sha256`;
  try {
    if (statSync(sidecar).mtimeMs < st.mtimeMs) return undefined;
    const m = /^([0-9a-f]{64}) {2}(\S+)\n?$/.exec(readFileSync(sidecar, 'utf8'));
    const named = /-([0-9a-f]+)\.tar\.gz$/.exec(basename(path))?.[1];
    return m && m[2] === basename(path) && (!named || m[1]!.startsWith(named)) ? m[1] : undefined;
  } catch {
    return undefined;
  }
}

export function readArtifact(path: string): Artifact {
  const st = statSync(path);
  const stamp = `${st.size}:${st.mtimeMs}`;
  const hit = cache.get(path);
  if (hit?.stamp === stamp) return hit.artifact;
  const sha256 = bundledSha256(path, st) ?? createHash('sha256').update(readFileSync(path)).digest('hex');
  const artifact = { path, sha256, id: sha256.slice(0, RELEASE_ID_DIGITS), size: st.size };
  cache.set(path, { stamp, artifact });
  return artifact;
}
