// copy: literal content or a control-machine file written to the target; checksum-based.
import type { FactQuery } from '../../src/facts/types.js';
import type { Module } from '../../src/module.js';
import { copyDiff } from './diff.js';
import { schema, type CopyArgs } from './schema.js';
import { loadSource } from './source.js';

const copy: Module<CopyArgs> = {
  name: 'copy',
  aliases: ['ansible.builtin.copy'],
  schema,
  needs(args, ctx) {
    const queries: FactQuery[] = [{ kind: 'stat', path: args.dest }];
    // The target's content is only needed to show a diff, which only small text gets. An
    // unreadable src is reported once, by diff.
    if (loadSource(args, ctx, () => {})?.diffable) queries.push({ kind: 'file', path: args.dest });
    return queries;
  },
  diff: copyDiff,
};

export default copy;
