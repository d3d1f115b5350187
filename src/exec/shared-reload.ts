// Reload commands several ops share (`SharedReload` in src/module.ts, e.g. systemd's
// daemon-reload): the apply script keeps, per reload command j, whether it is due (RDj=1) and
// which step owes it (ROj), so a script that several tasks and handlers ask to reload reloads
// once, after the last op that made it due and before the next op that may depend on it.
import type { Op } from '../module.js';
import { shArgv } from '../script/shell.js';

export class SharedReloads {
  private readonly keys: string[] = [];
  private readonly commands: string[] = [];

  /**
   * @param ops every op of the script
   * @param runs whether an op runs at all (a live op on an offline root does not)
   * @param argvOf the argv as the target runs it (chroot on a chroot root)
   */
  constructor(
    ops: Op[],
    private readonly runs: (op: Op) => boolean,
    argvOf: (argv: string[]) => string[],
  ) {
    for (const op of ops) {
      if (op.kind !== 'exec' || !op.reload || !runs(op)) continue;
      const key = JSON.stringify(op.reload.argv);
      if (this.keys.includes(key)) continue;
      this.keys.push(key);
      this.commands.push(shArgv(argvOf(op.reload.argv)));
    }
  }

  /** Every reload is due at the start: what ran before this script is unknown. */
  prelude(): string {
    return this.keys.map((_, j) => `RD${j}=1; RO${j}=`).join('\n');
  }

  /** The op's code with the bookkeeping around it; `run` is its code without any. */
  wrap(op: Op, step: number, run: string): string {
    if (this.keys.length === 0 || !this.runs(op)) return run;
    if (op.kind !== 'exec') return `${this.keys.map((_, j) => `RD${j}=1`).join('; ')}\n${run}`;
    const own = op.reload ? this.keys.indexOf(JSON.stringify(op.reload.argv)) : -1;
    const before = this.keys.flatMap((_, j) => {
      if (j === own && op.reload!.role !== 'keeps') return [];
      // Anything that may depend on an owed reload runs after it; anything unknown makes it due.
      return [this.flush(j), ...(j === own ? [] : [`RD${j}=1`])];
    });
    const lines = [...before];
    if (own >= 0 && op.reload!.role === 'is') lines.push(`[ "$RD${own}" = 0 ] || { ${this.reload(own)}; } || return 1`);
    else if (own >= 0 && op.reload!.role === 'owes') lines.push(`${run}; RD${own}=1; RO${own}=${step}`);
    else lines.push(run);
    return lines.join('\n');
  }

  /** At the end: a reload still owed runs; its failure is the failure of the step that owed it. */
  end(): string {
    return this.keys.map((_, j) => `[ -z "$RO${j}" ] || x 0 ${this.commands[j]} || { OP=0; fail "$RO${j}"; }`).join('\n');
  }

  private flush(j: number): string {
    return `[ -z "$RO${j}" ] || { ${this.reload(j)}; } || return 1`;
  }

  private reload(j: number): string {
    return `x 0 ${this.commands[j]} && RD${j}=0 && RO${j}=`;
  }
}
