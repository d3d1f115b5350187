// The command module's diff: one exec of the program, unless `creates`/`removes` say it has run.
import type { Facts } from '../../src/facts/types.js';
import type { Change, PlanContext } from '../../src/module.js';
import { shJoin } from '../_shared/sh-quote.js';
import { splitWords } from '../../src/script/words.js';
import type { CommandArgs } from './schema.js';

/** The program to run; a free-form line is split like Ansible's command module does it. */
export function argvOf(args: CommandArgs): string[] {
  const argv = args.argv ?? (args.free_form !== undefined ? splitWords(args.free_form) : ['/bin/sh', '-c', args.cmd!]);
  // chdir: a fixed script, the folder and the command as its arguments, never pasted into it.
  return args.chdir === undefined ? argv : ['/bin/sh', '-c', 'cd -- "$1" && shift && exec "$@"', 'sh', args.chdir, ...argv];
}

export function commandDiff(facts: Facts, args: CommandArgs, ctx: PlanContext): Change[] {
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
}
