// One managed file on the target: content, mode, owner and group compared with the facts, and the
// atomic `put` that converges it. Shared by every module that writes whole files.
import type { Change, Op } from '../../src/module.js';
import type { Facts, StatFact } from '../../src/facts/types.js';
import { normalizeMode } from './file-mode.js';
import { unifiedDiff } from './unified-diff.js';

export interface FileMeta {
  mode?: string;
  owner?: string;
  group?: string;
}

export interface FileSpec extends FileMeta {
  path: string;
  content: string;
  /** Command run on the temp file before the rename; `%s` is its path. */
  validate?: string;
}

/** "mode: 0644 -> 0600" lines for every attribute the spec sets and the existing file lacks. */
export function metadataDrift(stat: StatFact | null, want: FileMeta): string[] {
  if (!stat) return [];
  const lines: string[] = [];
  if (want.mode !== undefined && stat.mode !== normalizeMode(want.mode)) {
    lines.push(`mode: ${stat.mode} -> ${normalizeMode(want.mode)}`);
  }
  if (want.owner !== undefined && stat.owner !== want.owner) lines.push(`owner: ${stat.owner} -> ${want.owner}`);
  if (want.group !== undefined && stat.group !== want.group) lines.push(`group: ${stat.group} -> ${want.group}`);
  return lines;
}

/** The put op; attributes the spec leaves open keep the existing file's values. */
export function putOp(spec: FileSpec, stat: StatFact | null): Op {
  return {
    kind: 'put',
    path: spec.path,
    content: spec.content,
    mode: spec.mode !== undefined ? normalizeMode(spec.mode) : stat?.mode,
    owner: spec.owner ?? stat?.owner,
    group: spec.group ?? stat?.group,
    ...(spec.validate !== undefined ? { validate: spec.validate } : {}),
  };
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
  const stat = facts.stat(spec.path);
  const drift = metadataDrift(stat, spec);
  if (before === spec.content && drift.length === 0) return null;
  return { ...describeFileChange(spec.path, before, spec.content, drift), ops: [putOp(spec, stat)] };
}
