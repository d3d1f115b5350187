// The `validate` arg of modules that write whole files: one command, split without a shell.
import type { PlanContext } from '../../src/module.js';
import { splitCommand } from '../../src/script/shell-words.js';

/** False (after reporting at the `validate` arg) when the command cannot be run without a shell. */
export function validateCommandOk(validate: string | undefined, ctx: PlanContext): boolean {
  const check = validate === undefined ? undefined : splitCommand(validate);
  if (check && 'error' in check) {
    ctx.error(`validate: ${check.error}`, ['validate'], 'one command, e.g. "visudo -cf %s"; it runs without a shell');
    return false;
  }
  return true;
}
