// The file module's diff: a directory, an empty file (touch), a symlink, or nothing at a path,
// with mode and owner; `state: file` only checks. Decided from the path's stat alone.
import type { StatFact } from '../../src/facts/types.js';
import type { Op } from '../../src/module.js';
import { driftSetting, driftText, metadataDrift, putOp } from '../_shared/file-change.js';
import { normalizeMode } from '../_shared/file-mode.js';
import type { FileArgs } from './schema.js';
import type { Facts } from '../../src/facts/types.js';
import type { Change, PlanContext } from '../../src/module.js';

const KIND: Record<StatFact['type'], string> = { file: 'a file', dir: 'a directory', link: 'a link', other: 'a special file' };

/** chmod/chown for an existing path whose attributes drift; a folder's through the engine's dir op. */
function attributeOps(args: FileArgs, stat: StatFact): Op[] {
  if (stat.type === 'dir') return [dirOp(args)];
  const ops: Op[] = [];
  if (args.mode !== undefined && stat.mode !== normalizeMode(args.mode))
    ops.push({ kind: 'exec', argv: ['chmod', normalizeMode(args.mode), args.path] });
  const who =
    (args.owner !== undefined && args.owner !== stat.owner ? args.owner : '') +
    (args.group !== undefined && args.group !== stat.group ? `:${args.group}` : '');
  if (who) ops.push({ kind: 'exec', argv: ['chown', who, args.path] });
  return ops;
}

/** The folder with the declared attributes only (a new one is 0755 unless mode says). */
function dirOp(args: FileArgs): Op {
  return {
    kind: 'dir',
    path: args.path,
    ...(args.mode !== undefined ? { mode: normalizeMode(args.mode) } : {}),
    ...(args.owner !== undefined ? { owner: args.owner } : {}),
    ...(args.group !== undefined ? { group: args.group } : {}),
  };
}

function drift(args: FileArgs, stat: StatFact): Change[] {
  const attrs = metadataDrift(stat, args);
  if (!attrs.length) return [];
  const lines = attrs.map(driftText);
  return [
    {
      summary: `${args.path}: ${lines.join('; ')}`,
      diff: lines.map((l) => `${args.path} ${l}\n`).join(''),
      ops: attributeOps(args, stat),
      settings: attrs.map((d) => driftSetting(args.path, d)),
    },
  ];
}

export function fileDiff(facts: Facts, args: FileArgs, ctx: PlanContext): Change[] {
  const stat = facts.stat(args.path);
  const wrongKind = (want: StatFact['type']) => {
    ctx.error(
      `${args.path} is ${KIND[stat!.type]}, not ${KIND[want]}`,
      ['path'],
      'remove it first (state: absent), or point path elsewhere',
    );
    return [];
  };
  switch (args.state) {
    case 'absent':
      return stat
        ? [
            {
              summary: `remove ${args.path}`,
              diff: `${args.path}: ${KIND[stat.type]} -> absent\n`,
              ops: [{ kind: 'remove', path: args.path }],
            },
          ]
        : [];
    case 'directory': {
      if (stat && stat.type !== 'dir') return wrongKind('dir');
      if (stat) return drift(args, stat);
      // Parents as Ansible creates them (0755), whatever the apply script's own umask.
      const mode = normalizeMode(args.mode ?? '0755');
      return [{ summary: `create directory ${args.path}`, diff: `${args.path}: absent -> directory ${mode}\n`, ops: [dirOp(args)] }];
    }
    case 'touch':
      if (stat) return stat.type === 'file' ? drift(args, stat) : wrongKind('file');
      return [
        {
          summary: `create ${args.path}`,
          diff: `${args.path}: absent -> empty file\n`,
          ops: [putOp({ path: args.path, content: '', mode: args.mode ?? '0644', owner: args.owner, group: args.group })],
        },
      ];
    case 'link':
      if (stat && stat.type === 'link' && stat.target === args.src) return [];
      if (stat && stat.type === 'dir') return wrongKind('link');
      return [
        {
          summary: `link ${args.path} -> ${args.src}`,
          diff: `${args.path}: ${stat ? `${KIND[stat.type]}${stat.target ? ` -> ${stat.target}` : ''}` : 'absent'} -> link to ${args.src}\n`,
          ops: [{ kind: 'symlink', path: args.path, target: args.src! }],
        },
      ];
    case 'file':
      if (!stat) {
        ctx.error(
          `${args.path} does not exist; state: file only checks an existing file`,
          ['path'],
          'use state: touch to create an empty file, or copy/template to write one',
        );
        return [];
      }
      return drift(args, stat);
  }
}
