// Plan for the copy module: changed or not is decided by sha256, the diff is shown when both
// sides are small text.
import type { Facts, StatFact } from '../../src/facts/types.js';
import type { Change, Op, PlanContext } from '../../src/module.js';
import { normalizeMode } from '../_shared/file-mode.js';
import { contentSetting, describeFileChange, effectiveStat, linkReplaced, metadataDrift, putOp } from '../_shared/file-change.js';
import { unifiedDiff } from '../_shared/unified-diff.js';
import { validateCommandOk } from '../_shared/validate-command.js';
import type { CopyArgs } from './schema.js';
import { loadSource, MAX_DIFF_BYTES, type Source } from './source.js';

function contentDiff(dest: string, before: string | null, stat: StatFact | null, source: Source): string {
  if (stat === null) return source.diffable ? unifiedDiff(dest, null, source.content) : `${dest}: new file, ${source.size} bytes\n`;
  const beforeDiffable = before !== null && !before.includes('\0') && stat.size <= MAX_DIFF_BYTES;
  if (source.diffable && beforeDiffable) return unifiedDiff(dest, before, source.content);
  return `${dest}: binary content differs (${stat.size} -> ${source.size} bytes)\n`;
}

function writeOp(args: CopyArgs, source: Source): Op {
  const meta = { mode: args.mode, owner: args.owner, group: args.group, follow: args.follow };
  if (source.content !== null) return putOp({ path: args.dest, content: source.content, validate: args.validate, ...meta });
  return {
    kind: 'upload',
    path: args.dest,
    localPath: source.localPath!,
    sha256: source.sha256,
    ...(args.mode !== undefined ? { mode: normalizeMode(args.mode) } : {}),
    ...(args.owner !== undefined ? { owner: args.owner } : {}),
    ...(args.group !== undefined ? { group: args.group } : {}),
    ...(args.follow ? { follow: true } : {}),
  };
}

export function copyDiff(facts: Facts, args: CopyArgs, ctx: PlanContext): Change[] {
  const lstat = facts.stat(args.dest);
  const stat = effectiveStat(lstat, args.follow);
  if (stat && stat.type !== 'file') {
    ctx.error(`${args.dest} exists and is a ${stat.type === 'dir' ? 'directory' : 'special file'}`, ['dest'], 'point dest at a file path');
    return [];
  }
  const source = loadSource(args, ctx);
  if (!source || !validateCommandOk(args.validate, ctx)) return [];
  if (args.validate !== undefined && source.content === null) {
    ctx.error(
      `validate needs a text src of at most ${MAX_DIFF_BYTES / 1024} KiB; this one (${source.size} bytes) is uploaded as it is`,
      ['validate'],
      'drop validate for binary or large files',
    );
    return [];
  }
  const contentChanged = stat === null || stat.sha256 !== source.sha256;
  const drift = [...linkReplaced(lstat, args.follow), ...metadataDrift(stat, args)];
  if (!contentChanged && drift.length === 0) return [];
  // needs() declares the target's content only for sources that get a diff.
  const before = source.diffable ? facts.file(args.dest) : null;
  const diffText = contentChanged ? contentDiff(args.dest, before, stat, source) : '';
  const was = stat === null ? null : (before ?? '');
  const content = !contentChanged
    ? undefined
    : source.content !== null && (stat === null || before !== null)
      ? contentSetting(args.dest, was, source.content)
      : { setting: args.dest, desired: `sha256 ${source.sha256}`, live: stat?.sha256 ? `sha256 ${stat.sha256}` : null };
  return [{ ...describeFileChange(args.dest, was, source.content ?? '', drift, diffText, content), ops: [writeOp(args, source)] }];
}
