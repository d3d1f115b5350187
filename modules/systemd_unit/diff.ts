// Plan for systemd_unit: the file (verified by systemd-analyze where present), then enablement,
// then run state.
import type { Facts } from '../../src/facts/types.js';
import type { Change, Op, PlanContext } from '../../src/module.js';
import { fileChange } from '../_shared/file-change.js';
import { DAEMON_RELOAD } from '../_shared/handlers.js';
import { desiredContent } from './content.js';
import { managedPath, SYSTEMD_ANALYZE, unitFileCandidates } from './paths.js';
import type { SystemdUnitArgs } from './schema.js';
import { enablementChange, readsUnitState, stateChange } from './state.js';

/**
 * `systemd-analyze verify` on the unit file (for a drop-in: the unit's own file, which loads the
 * drop-ins with it). It exits 0 on unknown directives and only prints them, hence strictStderr.
 */
function verifyOp(facts: Facts, args: SystemdUnitArgs, path: string): Op | null {
  if (!SYSTEMD_ANALYZE.some((p) => facts.stat(p) !== null)) return null;
  const unitFile = args.dropin === undefined ? path : unitFileCandidates(args.name).find((p) => facts.stat(p) !== null);
  if (unitFile === undefined) return null;
  return { kind: 'exec', argv: ['systemd-analyze', 'verify', unitFile], live: true, strictStderr: true };
}

export function systemdUnitDiff(facts: Facts, args: SystemdUnitArgs, ctx: PlanContext): Change[] {
  const changes: Change[] = [];
  const content = desiredContent(args, ctx);
  if (content !== null) {
    const path = managedPath(args);
    const file = fileChange(facts, { path, content, mode: '0644' });
    if (file) {
      const verify = verifyOp(facts, args, path);
      changes.push({ ...file, ops: verify ? [...file.ops, verify] : file.ops, notify: [DAEMON_RELOAD] });
    }
  }
  if (!readsUnitState(args)) return changes;
  const unit = facts.unit(args.name);
  const enable = enablementChange(args, unit);
  if (enable) changes.push(enable);
  const state = stateChange(
    args,
    unit,
    changes.some((c) => c.notify?.includes(DAEMON_RELOAD)),
  );
  if (state) changes.push(state);
  return changes;
}
