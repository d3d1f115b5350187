// Runs a play's health tasks on one host: one gather exec for every probe's facts, then each
// probe module's pure `probe`. Changes nothing. Shared by the rollout gate and `health`.
import { formatProblem } from '../errors.js';
import type { ProbeResult } from '../module.js';
import type { Play, Vars } from '../playbook/types.js';
import { planContext, type TaskSink } from '../plan/context.js';
import { planHost } from '../plan/plan-host.js';
import { prepareHost } from '../plan/prepare.js';
import type { PlanEnv } from '../plan/types.js';
import { isUnreachable, type HostSessions } from '../exec/session.js';

export interface TaskHealth {
  task: string;
  results: ProbeResult[];
}

export interface HostHealth {
  host: string;
  ok: boolean;
  /** Set when the probes could not run (unreachable host, bad args, gather failed). */
  error?: string;
  unreachable?: boolean;
  tasks: TaskHealth[];
}

export function healthPlay(play: Play): Play {
  return { ...play, tasks: play.health ?? [], handlers: [] };
}

/** Failed checks as one line: "leaf1: /healthz 200: HTTP 503; RSS: 200.0 MB (<= 128 MB)". */
export function failureSummary(h: HostHealth): string {
  if (h.error) return h.error;
  const bad = h.tasks.flatMap((t) => t.results.filter((r) => !r.ok));
  return bad.map((r) => `${r.check}: ${r.value}${r.threshold ? ` (want ${r.threshold})` : ''}`).join('; ');
}

export async function probeHost(play: Play, host: string, vars: Vars, env: PlanEnv, sessions: HostSessions): Promise<HostHealth> {
  // Health always runs whole: --tags select what changes, not what is checked.
  const probeEnv: PlanEnv = { ...env, check: true, tags: { only: [], skip: [] } };
  try {
    const offline = sessions.transport(host, vars).offline;
    const prep = prepareHost(healthPlay(play), host, vars, probeEnv, offline);
    if (prep.problems.length) return { host, ok: false, tasks: [], error: prep.problems.map(formatProblem).join('; ') };
    const facts = await sessions.gather(host, vars, prep.queries);
    const plan = planHost(prep, facts, probeEnv, offline);
    const tasks: TaskHealth[] = [];
    for (const [i, p] of prep.tasks.entries()) {
      if (plan.tasks[i]?.status === 'skipped' || !p.module.probe) continue;
      const sink: TaskSink = { warnings: [], problems: [] };
      tasks.push({ task: p.task.name, results: p.module.probe(facts, p.args, planContext(host, vars, p.task, p.args, probeEnv, offline, sink)) });
    }
    return { host, ok: tasks.every((t) => t.results.every((r) => r.ok)), tasks };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { host, ok: false, tasks: [], error: msg, ...(isUnreachable(err) ? { unreachable: true } : {}) };
  }
}
