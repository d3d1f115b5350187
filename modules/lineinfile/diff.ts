// The lineinfile module's diff: the file with its one line edited, as an atomic put with a unified
// diff.
import { fileChange } from '../_shared/file-change.js';
import { editLines } from './edit.js';
import type { LineInFileArgs } from './schema.js';
import type { Facts } from '../../src/facts/types.js';
import type { Change, PlanContext } from '../../src/module.js';

function validRegex(src: string | undefined): string | undefined {
  if (src === undefined || src === 'EOF' || src === 'BOF') return undefined;
  try {
    new RegExp(src);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function lineInFileDiff(facts: Facts, args: LineInFileArgs, ctx: PlanContext): Change[] {
  for (const key of ['regexp', 'insertafter', 'insertbefore'] as const) {
    const bad = validRegex(args[key]);
    if (bad) {
      ctx.error(`${key} is not a valid regular expression: ${bad}`, [key]);
      return [];
    }
  }
  const stat = facts.stat(args.path);
  if (stat && stat.type !== 'file') {
    ctx.error(`${args.path} is not a regular file`, ['path']);
    return [];
  }
  const before = facts.file(args.path);
  if (before === null && !args.create) {
    if (args.state === 'absent') return [];
    ctx.error(`${args.path} does not exist`, ['path'], 'set create: true to create it');
    return [];
  }
  const change = fileChange(facts, {
    path: args.path,
    content: editLines(before ?? '', args),
    mode: args.mode ?? (before === null ? '0644' : undefined),
    owner: args.owner,
    group: args.group,
  });
  return change ? [change] : [];
}
