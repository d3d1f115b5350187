// The work on hosts done by this process, over its own transports: what a local run uses, and
// what a queue worker runs for each job it takes (src/queue/worker.ts).
import { formatProblem, messageOf, ValidationError } from '../errors.js';
import type { Facts } from '../facts/types.js';
import { planHost } from '../plan/plan-host.js';
import { isChange, type HostPlan, type PlanEnv, type PreparedHost } from '../plan/types.js';
import { recordPhase, timePhase } from '../timings.js';
import { applyHost, unreachableResult, type HostApplyOutcome } from './apply-host.js';
import { FactCache } from './fact-cache.js';
import { hasWork, planDrift, planLines } from './fresh-plan.js';
import type { ApplyOutcome, HostStats, HostWork, Lost, PlanView, PreflightOutcome, Problems, ReplanOutcome } from './host-work.js';
import { plannedHandlerResult, plannedResult, type TaskResult } from './results.js';
import { isUnreachable, type HostSessions } from './session.js';

export class LocalWork implements HostWork {
  private readonly facts: FactCache;
  private readonly plans: Map<string, HostPlan>[];

  /** `prepared`: per play, the hosts it targets (a worker holds only its job's host). */
  constructor(
    private readonly prepared: PreparedHost[][],
    private readonly env: PlanEnv,
    readonly sessions: HostSessions,
    private readonly forceHandlers: boolean,
  ) {
    this.facts = new FactCache(sessions);
    this.plans = prepared.map(() => new Map());
    for (const p of prepared.flat()) this.facts.want(p.host, p.queries);
  }

  private prep(play: number, host: string): PreparedHost {
    const p = this.prepared[play]?.find((x) => x.host === host);
    if (!p) throw new Error(`host ${host} is not in play ${play + 1}`);
    return p;
  }

  private offline(host: string): boolean {
    return this.sessions.existing(host).offline;
  }

  /** The plan held for a host (after preflight or replan). */
  plan(play: number, host: string): HostPlan | undefined {
    return this.plans[play]?.get(host);
  }

  async preflight(host: string): Promise<PreflightOutcome> {
    const preps = this.prepared.map((ps) => ps.find((p) => p.host === host));
    const vars = preps.filter((p) => p !== undefined).at(-1)?.vars ?? {};
    try {
      let facts: Facts = await this.facts.get(host, vars);
      const views: (PlanView | undefined)[] = [];
      for (const [i, prep] of preps.entries()) {
        if (!prep) {
          views.push(undefined);
          continue;
        }
        const planning = performance.now();
        const plan = planHost(prep, facts, this.env, this.offline(host));
        recordPhase('plan', planning);
        this.plans[i]!.set(host, plan);
        views.push(planView(plan));
        facts = plan.after;
      }
      return { views };
    } catch (err) {
      return failure(host, err);
    }
  }

  async replan(play: number, host: string, before: string[]): Promise<ReplanOutcome> {
    const prep = this.prep(play, host);
    try {
      this.facts.invalidate(host);
      const facts = await this.facts.get(host, prep.vars);
      const plan = planHost(prep, facts, this.env, this.offline(host));
      this.plans[play]!.set(host, plan);
      const drift = planDrift(before, planLines(plan));
      return drift ? { drift } : {};
    } catch (err) {
      this.plans[play]!.delete(host);
      return failure(host, err);
    }
  }

  async apply(play: number, host: string): Promise<ApplyOutcome> {
    let plan = this.plan(play, host);
    if (!plan) {
      const fresh = await this.replan(play, host, []);
      if ('problems' in fresh || 'lost' in fresh) return fresh;
      plan = this.plan(play, host)!;
    }
    const outcome = await timePhase('apply', () => applyHost(this.sessions.existing(host), plan, this.forceHandlers));
    return { results: await this.settled(play, host, outcome), applied: outcome.applied };
  }

  /** After an apply (alone or in lockstep): the results, verified when anything ran. */
  async settled(play: number, host: string, outcome: HostApplyOutcome): Promise<TaskResult[]> {
    const plan = this.plan(play, host)!;
    if (plan.tasks.some((t) => t.changes.length) || plan.handlers.length) this.facts.invalidate(host);
    if (!outcome.applied || outcome.results.some((r) => r.status === 'failed')) return outcome.results;
    return timePhase('verify', () => this.verify(this.prep(play, host), outcome.results));
  }

  /** Gather again and plan: every task must now be a no-op, or it did not converge. */
  private async verify(prep: PreparedHost, results: TaskResult[]): Promise<TaskResult[]> {
    const transport = this.sessions.existing(prep.host);
    try {
      const facts = await this.facts.get(prep.host, prep.vars);
      const again = planHost(prep, facts, { ...this.env, check: true }, transport.offline);
      const drift = new Map(
        again.tasks
          .map(
            (t) =>
              [
                t.task.name,
                t.changes.filter((c) => isChange(c) && !(transport.offline && c.ops.every((o) => o.kind === 'exec' && o.live))),
              ] as const,
          )
          .filter(([, cs]) => cs.length > 0),
      );
      return results.map((r) => {
        const cs = !r.handler && drift.get(r.task);
        return cs ? { ...r, status: 'failed', msg: `did not converge: ${cs.map((c) => c.summary).join('; ')}` } : r;
      });
    } catch (err) {
      const msg = err instanceof ValidationError ? err.problems.map(formatProblem).join('; ') : messageOf(err);
      return [...results, { host: prep.host, task: 'verify', status: isUnreachable(err) ? 'unreachable' : 'failed', changes: [], msg }];
    }
  }

  stats(host: string): HostStats {
    return { roundTrips: this.sessions.roundTrips(host), bytesUploaded: this.sessions.bytesUploaded(host) };
  }

  async close(): Promise<void> {
    await this.sessions.closeAll();
  }
}

/** What a plan shows: the rows check mode prints and the lines a fresh plan is compared with. */
export function planView(plan: HostPlan): PlanView {
  const rows: PlanView['rows'] = plan.tasks.map((t) => ({ key: `t${t.index}`, result: plannedResult(plan.host, t) }));
  for (const h of plan.handlers) rows.push({ key: `h:${h.name}`, result: plannedHandlerResult(plan.host, h) });
  return { host: plan.host, hasWork: hasWork(plan), lines: planLines(plan), rows };
}

function failure(host: string, err: unknown): Problems | Lost {
  if (err instanceof ValidationError) return { problems: err.problems };
  const msg = messageOf(err);
  return {
    lost: isUnreachable(err) ? unreachableResult(host, msg) : { host, task: 'gather facts', status: 'failed', changes: [], msg },
  };
}
