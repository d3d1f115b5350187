// Release changes: upload and unpack the artifact only when its release is missing, switch
// `current` atomically, and prune old releases (never the running one nor the previous one).
import type { Change } from '../../src/module.js';
import type { Facts } from '../../src/facts/types.js';
import type { Artifact } from './artifact.js';
import { currentLink, currentTarget, idOfTarget, releaseDir, releaseMarker, releasesDir, uploadPath } from './layout.js';

export const RESTART = 'portsyncd restart';

/** Checked, unpacked into a temp folder, marked complete, then renamed into place. */
const UNPACK = `set -e
tgz=$1; dir=$2; id=$3; sha=$4; tmp="$dir/.unpack-$id"
echo "$sha  $tgz" | sha256sum -c --quiet -
rm -rf "$tmp"; mkdir -p "$tmp"
tar -xzf "$tgz" -C "$tmp" --no-same-owner
printf '%s\\n' "$sha" >"$tmp/.sha256"
rm -rf "\${dir:?}/$id"; mv -T "$tmp" "$dir/$id"
rm -f "$tgz"`;

export function releaseInstalled(facts: Facts, prefix: string, a: Artifact): boolean {
  return facts.file(releaseMarker(prefix, a.id))?.trim() === a.sha256;
}

export function uploadChange(facts: Facts, prefix: string, a: Artifact): Change | null {
  if (releaseInstalled(facts, prefix, a)) return null;
  const tgz = uploadPath(prefix, a.id);
  return {
    summary: `install release ${a.id} in ${releaseDir(prefix, a.id)} (upload ${(a.size / 1e6).toFixed(1)} MB)`,
    ops: [
      { kind: 'upload', path: tgz, localPath: a.path, sha256: a.sha256, mode: '0600' },
      { kind: 'exec', argv: ['sh', '-c', UNPACK, 'unpack', tgz, releasesDir(prefix), a.id, a.sha256] },
    ],
  };
}

export function currentId(facts: Facts, prefix: string): string | undefined {
  const st = facts.stat(currentLink(prefix));
  return st?.type === 'link' ? idOfTarget(st.target) : undefined;
}

export function switchChange(facts: Facts, prefix: string, a: Artifact): Change | null {
  const before = currentId(facts, prefix);
  if (before === a.id) return null;
  const path = currentLink(prefix);
  return {
    summary: `switch ${path}: ${before ? currentTarget(before) : '(none)'} -> ${currentTarget(a.id)}`,
    diff: `${path} -> ${before ? currentTarget(before) : '(none)'}\n${path} -> ${currentTarget(a.id)}\n`,
    ops: [{ kind: 'symlink', path, target: currentTarget(a.id) }],
    notify: [RESTART],
    settings: [{ setting: path, desired: currentTarget(a.id), live: before ? currentTarget(before) : null }],
  };
}

/** Releases beyond `keep`, oldest first out; the wanted and the currently running release stay. */
export function releasesToPrune(listed: string[], wanted: string, running: string | undefined, keep: number): string[] {
  const ids = listed.filter((n) => /^[0-9a-f]+$/.test(n));
  const kept = new Set([wanted, ...(running ? [running] : [])]);
  for (const id of ids) if (kept.size < keep) kept.add(id);
  return ids.filter((id) => !kept.has(id));
}

export function pruneChange(facts: Facts, prefix: string, a: Artifact, keep: number): Change | null {
  const listed = facts.entries(releasesDir(prefix)) ?? [];
  const gone = releasesToPrune(listed, a.id, currentId(facts, prefix), keep);
  if (gone.length === 0) return null;
  return {
    summary: `prune release${gone.length > 1 ? 's' : ''} ${gone.join(', ')} (keeping ${keep})`,
    ops: [{ kind: 'exec', argv: ['rm', '-rf', '--', ...gone.map((id) => releaseDir(prefix, id))] }],
  };
}
