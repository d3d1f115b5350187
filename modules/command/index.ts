// command: the escape hatch. It cannot know what a command would change, so it never runs in
// check mode; `creates`/`removes` make it idempotent and `changed_when: false` marks read-only runs.
import type { FactQuery } from '../../src/facts/types.js';
import type { Module } from '../../src/module.js';
import { shJoin } from '../_shared/sh-quote.js';
import { schema, type CommandArgs } from './schema.js';
import { splitWords } from '../../src/script/words.js';
import { commandResult } from './result.js';

/** The program to run; a free-form line is split like Ansible's command module does it. */
export function argvOf(args: CommandArgs): string[] {
  const argv = args.argv ?? (args.free_form !== undefined ? splitWords(args.free_form) : ['/bin/sh', '-c', args.cmd!]);
  // chdir: a fixed script, the folder and the command as its arguments, never pasted into it.
  return args.chdir === undefined ? argv : ['/bin/sh', '-c', 'cd -- "$1" && shift && exec "$@"', 'sh', args.chdir, ...argv];
}

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
  diff(facts, args, ctx) {
    if (args.free_form !== undefined) {
      try {
        if (splitWords(args.free_form).length === 0) throw new Error('the command line is empty');
      } catch (e) {
        ctx.error(`cannot split the command line: ${(e as Error).message}`, ['free_form']);
        return [];
      }
    }
    if (args.creates !== undefined && facts.stat(args.creates) !== null) return [];
    if (args.removes !== undefined && facts.stat(args.removes) === null) return [];
    const argv = argvOf(args);
    return [{ summary: `run ${shJoin(argv)}`, ops: [{ kind: 'exec', argv }], ...(args.changed_when ? {} : { changed: false }) }];
  },
};

export default command;
