// The local artifact: its path, sha256 and release id (the hash prefix the bundle names it by).
// Hashed once per process, keyed by path, size and mtime, however many hosts receive it.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
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

/** The artifact `npm run bundle` built last (build/portsyncd/LATEST names it). */
export function latestArtifactPath(bundleDir = BUNDLE_DIR): string {
  const name = readFileSync(join(bundleDir, 'LATEST'), 'utf8').trim();
  return join(bundleDir, name);
}

export function resolveArtifactPath(arg: string | null | undefined, playbookDir: unknown): string {
  if (arg === undefined || arg === null) return latestArtifactPath();
  if (isAbsolute(arg)) return arg;
  return resolve(typeof playbookDir === 'string' ? playbookDir : process.cwd(), arg);
}

export function readArtifact(path: string): Artifact {
  const st = statSync(path);
  const stamp = `${st.size}:${st.mtimeMs}`;
  const hit = cache.get(path);
  if (hit?.stamp === stamp) return hit.artifact;
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  const artifact = { path, sha256, id: sha256.slice(0, RELEASE_ID_DIGITS), size: st.size };
  cache.set(path, { stamp, artifact });
  return artifact;
}
