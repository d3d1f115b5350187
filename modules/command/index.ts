// command: the escape hatch. It cannot know what a command would change, so it never runs in
// check mode; `creates`/`removes` make it idempotent and `changed_when: false` marks read-only runs.
import type { FactQuery } from '../../src/facts/types.js';
import type { Module } from '../../src/module.js';
import { shJoin } from '../_shared/sh-quote.js';
import { schema, type CommandArgs } from './schema.js';

function argvOf(args: CommandArgs): string[] {
  return args.argv ?? ['/bin/sh', '-c', args.cmd!];
}

const command: Module<CommandArgs> = {
  name: 'command',
  schema,
  skipInCheck: true,
  needs(args) {
    const queries: FactQuery[] = [];
    if (args.creates !== undefined) queries.push({ kind: 'stat', path: args.creates });
    if (args.removes !== undefined) queries.push({ kind: 'stat', path: args.removes });
    return queries;
  },
  diff(facts, args) {
    if (args.creates !== undefined && facts.stat(args.creates) !== null) return [];
    if (args.removes !== undefined && facts.stat(args.removes) === null) return [];
    const argv = argvOf(args);
    return [{ summary: `run ${shJoin(argv)}`, ops: [{ kind: 'exec', argv }], ...(args.changed_when ? {} : { changed: false }) }];
  },
};

export default command;
