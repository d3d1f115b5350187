// Every task of every play rendered and validated for every host, before any host is contacted.
// A task that could not be prepared throws one ValidationError with every problem (exit 3; no
// host read). When every task was prepared, the problems modules found in their args are
// returned, so that a run can report them together with what planning on the hosts finds (all
// of a playbook's bad kernel keys at once, not a few per attempt).
import { ValidationError, groupProblems, type Problem } from '../errors.js';
import { prepareHost } from '../plan/prepare.js';
import type { PlanEnv, PreparedHost } from '../plan/types.js';
import type { PlayInput } from './run.js';
import type { HostSessions } from './session.js';

export function prepareAll(plays: PlayInput[], env: PlanEnv, sessions: HostSessions): { prepared: PreparedHost[][]; problems: Problem[] } {
  const prepared = plays.map(({ play, hosts }) =>
    hosts.map((h) => prepareHost(play, h.name, h.vars, env, sessions.transport(h.name, h.vars).offline, h.roleVars)),
  );
  const problems = prepared.flat().flatMap((p) => p.problems);
  if (prepared.flat().some((p) => p.incomplete)) throw new ValidationError(groupProblems(problems));
  return { prepared, problems };
}
