// Runs a play's health tasks on one host: the probe phase (one exec: the probes' actions and
// every probe's facts, probe-phase.ts), then the planning pass with its `probe` hook. Shared by
// the rollout gate and `health`.
import { formatProblem, messageOf, ValidationError, type Problem } from '../errors.js';
import type { ProbeAction, ProbeResult } from '../module.js';
import { planContext, type TaskSink } from '../plan/context.js';
import { probePhase } from './probe-phase.js';
import type { Play, Vars } from '../playbook/types.js';
import { planHost } from '../plan/plan-host.js';
import { prepareHost } from '../plan/prepare.js';
import type { PlanEnv, PreparedHost } from '../plan/types.js';
import { isUnreachable, type HostSessions } from './session.js';

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
  /** The health tasks' plan failed (bad args, a probe's plan-time error): invalid input, located. */
  problems?: Problem[];
  tasks: TaskHealth[];
}

export function healthPlay(play: Play): Play {
  return { ...play, tasks: play.health ?? [], handlers: [] };
}

/** Health is never assumed: a host with a check that could not run is "not probed", apart from
 *  healthy, even when its task lets that pass. */
export function healthState(h: HostHealth): 'healthy' | 'unhealthy' | 'not probed' {
  const results = h.tasks.flatMap((t) => t.results);
  if (h.error || results.some((r) => !r.ok && !r.notProbed)) return 'unhealthy';
  return results.some((r) => r.notProbed) ? 'not probed' : 'healthy';
}

/** Failed checks as one line: "leaf1: /healthz 200: HTTP 503; RSS: 200.0 MB (<= 128 MB)". */
export function failureSummary(h: HostHealth): string {
  if (h.error) return h.error;
  const bad = h.tasks.flatMap((t) => t.results.filter((r) => !r.ok));
  return bad.map((r) => `${r.check}: ${r.value}${r.threshold ? ` (want ${r.threshold})` : ''}`).join('; ');
}

/** The actions the host's probes take before their facts are read, in task order. */
function probeActions(prep: PreparedHost, env: PlanEnv, offline: boolean): ProbeAction[] {
  const sink: TaskSink = { warnings: [], problems: [] };
  const actions = prep.tasks.flatMap((p) => {
    const act = p.module.act?.(p.args, planContext(prep.host, p.vars ?? prep.vars, p.task, p.args, env, offline, sink));
    return act ? [act] : [];
  });
  if (sink.problems.length) throw new ValidationError(sink.problems);
  return actions;
}

export async function probeHost(play: Play, host: string, vars: Vars, env: PlanEnv, sessions: HostSessions): Promise<HostHealth> {
  // Health always runs whole: --tags select what changes, not what is checked.
  const probeEnv: PlanEnv = { ...env, check: true, tags: { only: [], skip: [] } };
  try {
    const offline = sessions.transport(host, vars).offline;
    const prep = prepareHost(healthPlay(play), host, vars, probeEnv, offline);
    if (prep.problems.length) throw new ValidationError(prep.problems);
    const actions = probeActions(prep, probeEnv, offline);
    const facts = await probePhase(await sessions.connect(host, vars), prep.queries, actions);
    const plan = planHost(prep, facts, probeEnv, offline, { probe: true });
    const tasks = plan.tasks.flatMap((t) => (t.probes ? [{ task: t.task.name, results: t.probes }] : []));
    return { host, ok: tasks.every((t) => t.results.every((r) => r.ok)), tasks };
  } catch (err) {
    if (err instanceof ValidationError)
      return { host, ok: false, tasks: [], error: err.problems.map(formatProblem).join('; '), problems: err.problems };
    return { host, ok: false, tasks: [], error: messageOf(err), ...(isUnreachable(err) ? { unreachable: true } : {}) };
  }
}
