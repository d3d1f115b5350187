// lineinfile: Ansible's module of that name. One line of a file made present or absent, the
// rest of the file kept; the change is an atomic put with a unified diff.
import type { Module } from '../../src/module.js';
import { fileChange } from '../_shared/file-change.js';
import { editLines } from './edit.js';
import { schema, type LineInFileArgs } from './schema.js';

function validRegex(src: string | undefined): string | undefined {
  if (src === undefined || src === 'EOF' || src === 'BOF') return undefined;
  try {
    new RegExp(src);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const lineinfile: Module<LineInFileArgs> = {
  name: 'lineinfile',
  aliases: ['ansible.builtin.lineinfile'],
  covers: ['ansible.builtin.replace'],
  schema,
  needs: (args) => [
    { kind: 'file', path: args.path },
    { kind: 'stat', path: args.path },
  ],
  diff(facts, args, ctx) {
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
  },
};

export default lineinfile;
