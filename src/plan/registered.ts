// `register:` results as the plan knows them, in Ansible's shape: one task's result, or for a
// loop `results` (one per item) with `changed`/`failed` if any item's is. A no_log task's output
// is tracked as a secret, so a later task that shows it shows it masked.
import type { Vars } from '../playbook/types.js';
import { secrets } from '../secrets/redact.js';
import { withVars } from '../vars/merge.js';
import type { PreparedTask } from './types.js';

export class RegisteredResults {
  private readonly loops = new Map<number, Vars[]>();
  private readonly values = new Map<number, Vars>();

  add(p: PreparedTask, result: Vars): void {
    if (!p.task.register) return;
    if (p.task.noLog)
      secrets.addAll(Object.fromEntries(Object.entries(result).filter(([k]) => !['changed', 'failed', 'skipped'].includes(k))));
    if (p.item === undefined) {
      this.values.set(p.index, result);
      return;
    }
    const items = [
      ...(this.loops.get(p.index) ?? []),
      { ...result, item: p.vars?.[p.task.loop?.loopVar ?? 'item'], ansible_loop_var: p.task.loop?.loopVar ?? 'item' },
    ];
    this.loops.set(p.index, items);
    this.values.set(p.index, {
      changed: items.some((r) => r.changed === true),
      failed: items.some((r) => r.failed === true),
      ...(items.every((r) => r.skipped === true) ? { skipped: true } : {}),
      msg: 'All items completed',
      results: items,
    });
  }

  /** The variables after this task: its registered result under its name. */
  into(vars: Vars, p: PreparedTask): Vars {
    const value = p.task.register ? this.values.get(p.index) : undefined;
    return value ? withVars(vars, { [p.task.register!]: value }) : vars;
  }
}
