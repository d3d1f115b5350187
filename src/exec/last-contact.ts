// Whether the run reaches a host again after its preflight. Check mode never does. An apply run
// does where a play has work for the host (a change, ops that report ok, a failure the plan knows
// of) or steps through it task by task (any_errors_fatal); a health gate probes and rolls back only
// the hosts a batch changed, so a host with no work in any play is left alone to the end.
import type { Play } from '../playbook/types.js';
import type { PlanView } from './host-work.js';

/** `views[i]`: the host's plan in play i, undefined where that play does not target it. */
export function reachedAfterPreflight(check: boolean, plays: Play[], views: (PlanView | undefined)[]): boolean {
  if (check) return false;
  return views.some((v, i) => v !== undefined && (v.hasWork || plays[i]!.anyErrorsFatal));
}
