// A file whose content carries a vault value is written 0600 (root only), unless the task sets
// a mode itself: a module's own default (a sysctl.d file's 0644) is not a decision about secrets.
// A module that keeps asking for its default mode would then see "0600 -> 0644" on every run,
// so a change that only restores that default on an unchanged secret file is dropped.
import type { Change, Op } from '../module.js';
import type { Facts } from '../facts/types.js';
import type { Vars } from '../playbook/types.js';
import { secrets, type Redactor } from './redact.js';

export const SECRET_FILE_MODE = '0600';

export function protectSecretFiles(changes: Change[], taskArgs: Vars, facts: Facts, redactor: Redactor = secrets): Change[] {
  if (Object.prototype.hasOwnProperty.call(taskArgs, 'mode') || redactor.empty) return changes;
  const out: Change[] = [];
  for (const c of changes) {
    const ops = c.ops.map((op) =>
      op.kind === 'put' && op.mode !== SECRET_FILE_MODE && redactor.contains(op.content) ? { ...op, mode: SECRET_FILE_MODE } : op,
    );
    if (ops.length && ops.every((op) => alreadyInPlace(op, facts))) continue;
    out.push({ ...c, ops });
  }
  return out;
}

function alreadyInPlace(op: Op, facts: Facts): boolean {
  if (op.kind !== 'put' || op.mode !== SECRET_FILE_MODE) return false;
  try {
    const st = facts.stat(op.path);
    return (
      !!st &&
      st.mode === SECRET_FILE_MODE &&
      (op.owner === undefined || op.owner === st.owner) &&
      (op.group === undefined || op.group === st.group) &&
      facts.file(op.path) === op.content
    );
  } catch {
    // The module did not declare the stat or content of this path (it never compares modes):
    // nothing to decide here.
    return false;
  }
}
