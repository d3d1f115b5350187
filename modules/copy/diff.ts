// Plan for the copy module: changed or not is decided by sha256, the diff is shown when both
// sides are small text.
import type { Facts, StatFact } from '../../src/facts/types.js';
import type { Change, Op, PlanContext } from '../../src/module.js';
import { normalizeMode } from '../_shared/file-mode.js';
import { describeFileChange, metadataDrift, putOp } from '../_shared/file-change.js';
import { unifiedDiff } from '../_shared/unified-diff.js';
import type { CopyArgs } from './schema.js';
import { loadSource, MAX_DIFF_BYTES, type Source } from './source.js';

function contentDiff(dest: string, before: string | null, stat: StatFact | null, source: Source): string {
  if (stat === null) return source.diffable ? unifiedDiff(dest, null, source.content) : `${dest}: new file, ${source.size} bytes\n`;
  const beforeDiffable = before !== null && !before.includes('\0') && stat.size <= MAX_DIFF_BYTES;
  if (source.diffable && beforeDiffable) return unifiedDiff(dest, before, source.content);
  return `${dest}: binary content differs (${stat.size} -> ${source.size} bytes)\n`;
}

function writeOps(args: CopyArgs, source: Source, stat: StatFact | null): Op[] {
  const meta = { mode: args.mode, owner: args.owner, group: args.group };
  if (source.content !== null) return [putOp({ path: args.dest, content: source.content, ...meta }, stat)];
  const mode = args.mode !== undefined ? normalizeMode(args.mode) : stat?.mode;
  const upload: Op = { kind: 'upload', path: args.dest, localPath: source.localPath!, sha256: source.sha256, mode };
  // upload carries no owner: set it after the rename, in the same all-or-nothing change.
  const owner = args.owner ?? stat?.owner;
  const group = args.group ?? stat?.group;
  if (owner === undefined && group === undefined) return [upload];
  return [upload, { kind: 'exec', argv: ['chown', `${owner ?? ''}:${group ?? ''}`, args.dest] }];
}

export function copyDiff(facts: Facts, args: CopyArgs, ctx: PlanContext): Change[] {
  const stat = facts.stat(args.dest);
  if (stat && stat.type !== 'file' && stat.type !== 'link') {
    ctx.error(`${args.dest} exists and is a ${stat.type === 'dir' ? 'directory' : 'special file'}`, ['dest'], 'point dest at a file path');
    return [];
  }
  const source = loadSource(args, ctx);
  if (!source) return [];
  const contentChanged = stat === null || stat.sha256 !== source.sha256;
  const drift = metadataDrift(stat, args);
  if (!contentChanged && drift.length === 0) return [];
  // needs() declares the target's content only for sources that get a diff.
  const before = source.diffable ? facts.file(args.dest) : null;
  const diffText = contentChanged ? contentDiff(args.dest, before, stat, source) : '';
  const { summary, diff } = describeFileChange(args.dest, stat === null ? null : before ?? '', source.content ?? '', drift, diffText);
  return [{ summary, diff, ops: writeOps(args, source, stat) }];
}
