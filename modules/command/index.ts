// command: the escape hatch. It cannot know what a command would change, so it never runs in
// check mode; `creates`/`removes` make it idempotent and `changed_when: false` marks read-only runs.
import type { FactQuery } from '../../src/facts/types.js';
import type { Module } from '../../src/module.js';
import { schema, type CommandArgs } from './schema.js';
import { splitWords } from '../../src/script/words.js';
import { commandResult } from './result.js';
import { argvOf, commandDiff } from './diff.js';

const command: Module<CommandArgs> = {
  name: 'command',
  aliases: ['ansible.builtin.command'],
  covers: ['ansible.builtin.raw', 'ansible.builtin.script'],
  freeForm: 'free_form',
  schema,
  skipInCheck: true,
  commandResult: {
    query: (args) => (args.creates === undefined && args.removes === undefined ? { kind: 'cmd', argv: argvOf(args) } : undefined),
    result: (args, out) => commandResult(args.argv ?? (args.free_form !== undefined ? splitWords(args.free_form) : args.cmd!), out),
  },
  needs(args) {
    const queries: FactQuery[] = [];
    if (args.creates !== undefined) queries.push({ kind: 'stat', path: args.creates });
    if (args.removes !== undefined) queries.push({ kind: 'stat', path: args.removes });
    return queries;
  },
  diff: commandDiff,
};

export default command;
