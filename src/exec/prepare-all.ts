// Every task of every play rendered and validated for every host, before any host is contacted.
// Throws one ValidationError with every problem (exit 3; nothing touched).
import { ValidationError, groupProblems } from '../errors.js';
import { prepareHost } from '../plan/prepare.js';
import type { PlanEnv, PreparedHost } from '../plan/types.js';
import type { PlayInput } from './run.js';
import type { HostSessions } from './session.js';

export function prepareAll(plays: PlayInput[], env: PlanEnv, sessions: HostSessions): PreparedHost[][] {
  const prepared = plays.map(({ play, hosts }) =>
    hosts.map((h) => prepareHost(play, h.name, h.vars, env, sessions.transport(h.name, h.vars).offline, h.roleVars)),
  );
  const problems = prepared.flat().flatMap((p) => p.problems);
  if (problems.length) throw new ValidationError(groupProblems(problems));
  return prepared;
}
