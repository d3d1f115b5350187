// One managed file on the target: content, mode, owner and group compared with the facts, and the
// atomic `put` that converges it. Shared by every module that writes whole files.
import { diffLines } from 'diff';
import type { Change, ChangedSetting, Op } from '../../src/module.js';
import type { Facts, StatFact } from '../../src/facts/types.js';
import { normalizeMode, type FileMode } from './file-mode.js';
import { unifiedDiff } from './unified-diff.js';
import { memoByString } from '../../src/memo.js';

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

/** An attribute of a path that differs from what is wanted. */
export interface AttrDrift {
  attr: 'mode' | 'owner' | 'group' | 'type';
  before: string;
  after: string;
}

/** "mode: 0644 -> 0600"; a link giving way to a file: "replace symlink -> /x with a file". */
export function driftText(d: AttrDrift): string {
  return d.attr === 'type' ? `replace ${d.before} with a ${d.after}` : `${d.attr}: ${d.before} -> ${d.after}`;
}

/** The setting an attribute drift converges, e.g. "/etc/x mode": 0600 wanted, 0644 now. */
export function driftSetting(path: string, d: AttrDrift): ChangedSetting {
  return { setting: `${path} ${d.attr}`, desired: d.after, live: d.before };
}

/** Every attribute the spec sets and the existing file lacks. */
export function metadataDrift(stat: StatFact | null, want: FileMeta): AttrDrift[] {
  if (!stat) return [];
  const drift: AttrDrift[] = [];
  if (want.mode !== undefined && stat.mode !== normalizeMode(want.mode))
    drift.push({ attr: 'mode', before: stat.mode, after: normalizeMode(want.mode) });
  if (want.owner !== undefined && !sameId(want.owner, stat.owner, stat.uid))
    drift.push({ attr: 'owner', before: stat.owner, after: want.owner });
  if (want.group !== undefined && !sameId(want.group, stat.group, stat.gid))
    drift.push({ attr: 'group', before: stat.group, after: want.group });
  return drift;
}

/** Longest value a content setting shows; the rest is counted, not printed. */
const MAX_SHOWN = 160;

function shown(lines: string[]): string {
  if (lines.length === 0) return '(none)';
  let out = '';
  let used = 0;
  for (const l of lines) {
    const next = out ? `${out} | ${l}` : l;
    if (next.length > MAX_SHOWN && out) break;
    out = next;
    used++;
  }
  return used < lines.length ? `${out} … (+${lines.length - used} lines)` : out;
}

/** A file's content as a setting: the lines it gains (desired) and loses (live; null when the
 *  file is created). */
export function contentSetting(path: string, before: string | null, after: string): ChangedSetting {
  if (before === null) return { setting: path, desired: createdShown(after), live: null };
  const parts = diffLines(before, after);
  const added = parts.filter((p) => p.added && p.value).flatMap((p) => lines(p.value));
  const removed = parts.filter((p) => p.removed && p.value).flatMap((p) => lines(p.value));
  return { setting: path, desired: shown(added), live: shown(removed) };
}

const lines = (text: string) => text.replace(/\n$/, '').split('\n');
/** Every host of a fleet creates the same few files. */
const createdShown = memoByString((after) => shown(lines(after)));

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

/** "replace symlink" as the first drift when a link gives way to a file. */
export function linkReplaced(stat: StatFact | null, follow: boolean | undefined): AttrDrift[] {
  return stat?.type === 'link' && !follow ? [{ attr: 'type', before: `symlink -> ${stat.target ?? '?'}`, after: 'file' }] : [];
}

/** Summary, diff and settings of a file whose content and/or attributes change. `content` is the
 *  content's setting when it changes (by default from `before` and `after`). */
export function describeFileChange(
  path: string,
  before: string | null,
  after: string,
  drift: AttrDrift[],
  contentDiff = unifiedDiff(path, before, after),
  content?: ChangedSetting,
): Pick<Change, 'summary' | 'diff' | 'settings'> {
  const what = before === null ? `create ${path}` : contentDiff ? `update ${path}` : `${path}`;
  const summary = [what, ...drift.map(driftText)].join('; ');
  const diff = [...drift.map((d) => `${path} ${driftText(d)}\n`), contentDiff].join('');
  const changed = contentDiff ? [content ?? contentSetting(path, before, after)] : [];
  return { summary, diff, settings: [...drift.map((d) => driftSetting(path, d)), ...changed] };
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
