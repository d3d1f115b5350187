// One managed file on the target: content, mode, owner and group compared with the facts, and the
// atomic `put` that converges it. Shared by every module that writes whole files.
import type { Change, Op } from '../../src/module.js';
import type { Facts, StatFact } from '../../src/facts/types.js';
import { normalizeMode, type FileMode } from './file-mode.js';
import { unifiedDiff } from './unified-diff.js';

export interface FileMeta {
  mode?: FileMode;
  owner?: string;
  group?: string;
}

export interface FileSpec extends FileMeta {
  path: string;
  content: string;
  /** Command run on the temp file before the rename; `%s` is its path. */
  validate?: string;
  /** When the path is a symlink: write what it points to (true) or replace the link (false). */
  follow?: boolean;
}

/** A declared owner or group matches by name, or by number when it is written as one. */
function sameId(want: string, name: string, id: number | undefined): boolean {
  return /^\d+$/.test(want) && id !== undefined ? Number(want) === id : want === name;
}

/** "mode: 0644 -> 0600" lines for every attribute the spec sets and the existing file lacks. */
export function metadataDrift(stat: StatFact | null, want: FileMeta): string[] {
  if (!stat) return [];
  const lines: string[] = [];
  if (want.mode !== undefined && stat.mode !== normalizeMode(want.mode)) {
    lines.push(`mode: ${stat.mode} -> ${normalizeMode(want.mode)}`);
  }
  if (want.owner !== undefined && !sameId(want.owner, stat.owner, stat.uid)) lines.push(`owner: ${stat.owner} -> ${want.owner}`);
  if (want.group !== undefined && !sameId(want.group, stat.group, stat.gid)) lines.push(`group: ${stat.group} -> ${want.group}`);
  return lines;
}

/** The put op. Attributes the spec leaves open are the previous regular file's, else mode 0644:
 *  the apply script reads them from the file it replaces, never from a symlink. */
export function putOp(spec: FileSpec): Op {
  return {
    kind: 'put',
    path: spec.path,
    content: spec.content,
    ...(spec.mode !== undefined ? { mode: normalizeMode(spec.mode) } : {}),
    ...(spec.owner !== undefined ? { owner: spec.owner } : {}),
    ...(spec.group !== undefined ? { group: spec.group } : {}),
    ...(spec.validate !== undefined ? { validate: spec.validate } : {}),
    ...(spec.follow ? { follow: true } : {}),
  };
}

/** The stat a write is compared with: a symlink's target when followed; nothing when the link is
 *  replaced (the result is a new file). */
export function effectiveStat(stat: StatFact | null, follow: boolean | undefined): StatFact | null {
  if (stat?.type !== 'link') return stat;
  return follow ? (stat.followed ?? null) : null;
}

/** "replace symlink" as the first summary item when a link gives way to a file. */
export function linkReplaced(stat: StatFact | null, follow: boolean | undefined): string[] {
  return stat?.type === 'link' && !follow ? [`replace symlink -> ${stat.target ?? '?'} with a file`] : [];
}

/** Summary and diff text for a file whose content and/or attributes change. */
export function describeFileChange(
  path: string,
  before: string | null,
  after: string,
  drift: string[],
  contentDiff = unifiedDiff(path, before, after),
): { summary: string; diff: string } {
  const what = before === null ? `create ${path}` : contentDiff ? `update ${path}` : `${path}`;
  const summary = [what, ...drift].join('; ');
  const diff = [...drift.map((l) => `${path} ${l}\n`), contentDiff].join('');
  return { summary, diff };
}

/** The change that makes `spec.path` hold `spec.content` with the wanted attributes; null when it already does. */
export function fileChange(facts: Facts, spec: FileSpec): Change | null {
  const before = facts.file(spec.path);
  const lstat = facts.stat(spec.path);
  const stat = effectiveStat(lstat, spec.follow);
  const drift = [...linkReplaced(lstat, spec.follow), ...metadataDrift(stat, spec)];
  if (before === spec.content && drift.length === 0) return null;
  return { ...describeFileChange(spec.path, before, spec.content, drift), ops: [putOp(spec)] };
}
