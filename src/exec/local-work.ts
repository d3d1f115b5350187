// The work on hosts done by this process, over its own transports: what a local run uses, and
// what a queue worker runs for each job it takes (src/queue/worker.ts).
import { formatProblem, GatherError, messageOf, ValidationError } from '../errors.js';
import type { Facts } from '../facts/types.js';
import { planHost } from '../plan/plan-host.js';
import { isChange, type HostPlan, type PlanEnv, type PreparedHost } from '../plan/types.js';
import { recordPhase, timePhase } from '../timings.js';
import { applyHost, unreachableResult, type HostApplyOutcome } from './apply-host.js';
import { gatherScript, type Gathered } from '../facts/gather.js';
import { FactCache } from './fact-cache.js';
import { hasWork, planDrift, planLines, sameWork } from './fresh-plan.js';
import { outputDigest } from './guarded-script.js';
import type { ApplyOutcome, Drift, HostStats, HostWork, Lost, PlanView, PreflightOutcome, Problems, ReplanOutcome } from './host-work.js';
import { plannedHandlerResult, plannedResult, type TaskResult } from './results.js';
import { isUnreachable, type HostSessions } from './session.js';

/** Guarded applies of one host before it is failed for changing under the run each time. */
const GUARD_TRIES = 3;

export class LocalWork implements HostWork {
  private readonly facts: FactCache;
  private readonly plans: Map<string, HostPlan>[];

  /** `prepared`: per play, the hosts it targets (a worker holds only its job's host). `facts`: the
   *  facts already read over these sessions (a worker keeps them from one job of a run to the next). */
  constructor(
    private readonly prepared: PreparedHost[][],
    private readonly env: PlanEnv,
    readonly sessions: HostSessions,
    private readonly forceHandlers: boolean,
    facts?: FactCache,
  ) {
    this.facts = facts ?? new FactCache(sessions);
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

  /**
   * Plans the host again on its latest facts (the preflight's gather, or the one an earlier apply
   * brought back) and applies in ONE guarded exec (guarded-script.ts): it applies only while the
   * host still gives the gather that plan was made from, and gathers after, for the verify and
   * the next play. When the host changed, nothing is applied: the host is planned again on what
   * that exec read and tried again, at most GUARD_TRIES times; when only facts the plan does not
   * depend on moved, the next try applies without comparing. `before`: the lines of the plan the
   * run holds, to say when the plan moved; `gate`: a health gate's snapshot of the plan's files,
   * false when the host must not be applied (the gate reported why).
   */
  async apply(play: number, host: string, before: string[] = [], gate?: (plan: HostPlan) => Promise<boolean>): Promise<ApplyOutcome> {
    const prep = this.prep(play, host);
    let drift: Drift | undefined;
    const planOn = (facts: Facts): HostPlan => {
      const planning = performance.now();
      const plan = planHost(prep, facts, this.env, this.offline(host));
      recordPhase('plan', planning);
      this.plans[play]!.set(host, plan);
      drift = planDrift(before, planLines(plan));
      return plan;
    };
    const moved = () => (drift ? { drift } : {});
    try {
      const gathered = await this.facts.gathered(host, prep.vars);
      const transport = this.sessions.existing(host);
      let plan = planOn(gathered.facts);
      let expected: string | null = outputDigest(gathered.stdout);
      let snapshotted: HostPlan | undefined;
      for (let tries = 1; ; tries++) {
        if (!hasWork(plan)) {
          const outcome = await applyHost(transport, plan, this.forceHandlers);
          return { results: outcome.results, applied: false, ...moved() };
        }
        if (gate && snapshotted !== plan) {
          if (!(await gate(plan))) return { results: [], applied: false, ...moved() };
          snapshotted = plan;
        }
        const guard = { gather: gatherScript(transport, this.facts.queries(host)), expected };
        const outcome = await timePhase('apply', () => applyHost(transport, plan, this.forceHandlers, [], guard));
        const after = this.afterApply(host, outcome);
        if (!outcome.drift) {
          const results = await this.verified(prep, outcome, typeof after === 'string' ? after : after.facts);
          return { results, applied: outcome.applied, ...moved() };
        }
        if (typeof after === 'string') return { lost: { host, task: 'gather facts', status: 'failed', changes: [], msg: after } };
        if (tries === GUARD_TRIES) {
          const msg = `the host changed again between reading it and applying, ${tries} times; nothing was applied, run again`;
          return { lost: { host, task: 'apply', status: 'failed', changes: [], msg } };
        }
        const again = planOn(after.facts);
        // Only facts this plan does not depend on moved: apply it as it is, without comparing.
        expected = sameWork(plan, again) ? null : outputDigest(after.stdout);
        plan = again;
      }
    } catch (err) {
      return failure(host, err);
    }
  }

  /** The facts the guarded exec gathered after the apply become the host's current facts. */
  private afterApply(host: string, outcome: HostApplyOutcome): Gathered | string {
    if (!outcome.after) {
      this.facts.invalidate(host);
      return 'the host was not gathered after the apply';
    }
    try {
      return this.facts.record(host, outcome.after);
    } catch (err) {
      this.facts.invalidate(host);
      return messageOf(err);
    }
  }

  /** After an apply in lockstep (any_errors_fatal): the results, verified on a new gather when anything ran. */
  async settled(play: number, host: string, outcome: HostApplyOutcome): Promise<TaskResult[]> {
    const prep = this.prep(play, host);
    if (hasWork(this.plan(play, host)!)) this.facts.invalidate(host);
    return this.verified(prep, outcome, this.facts.get(host, prep.vars));
  }

  /** The results, verified when a change ran and none failed. */
  private async verified(prep: PreparedHost, outcome: HostApplyOutcome, facts: Promise<Facts> | Facts | string): Promise<TaskResult[]> {
    if (!outcome.applied || outcome.results.some((r) => r.status === 'failed')) return outcome.results;
    return timePhase('verify', () => this.verify(prep, facts, outcome.results));
  }

  /** Plan on the facts read after the apply: every task must now be a no-op, or it did not converge. */
  private async verify(prep: PreparedHost, after: Promise<Facts> | Facts | string, results: TaskResult[]): Promise<TaskResult[]> {
    const transport = this.sessions.existing(prep.host);
    try {
      if (typeof after === 'string') throw new GatherError(after);
      const facts = await after;
      const again = planHost(prep, facts, { ...this.env, check: true }, transport.offline);
      const drift = new Map(
        again.tasks
          .filter((t) => t.task.checkMode !== true && !t.standby)
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
        const cs = !r.handler && r.status !== 'failed' && drift.get(r.task);
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
  const rows: PlanView['rows'] = [];
  const handlerRows = (at: string, handlers: HostPlan['handlers']) => {
    for (const h of handlers) rows.push({ key: `h${at}:${h.name}`, result: plannedHandlerResult(plan.host, h) });
  };
  for (const t of plan.tasks) {
    // A rescue part runs only when its block fails; the plan shows it only then.
    if (t.standby) continue;
    if (t.flush) handlerRows(`@${t.index}`, t.flush);
    else rows.push({ key: `t${t.index}`, result: plannedResult(plan.host, t) });
  }
  handlerRows('', plan.handlers);
  return { host: plan.host, hasWork: hasWork(plan), lines: planLines(plan), rows };
}

function failure(host: string, err: unknown): Problems | Lost {
  if (err instanceof ValidationError) return { problems: err.problems };
  const msg = messageOf(err);
  return {
    lost: isUnreachable(err) ? unreachableResult(host, msg) : { host, task: 'gather facts', status: 'failed', changes: [], msg },
  };
}
