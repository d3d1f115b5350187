// The work on hosts done by this process, over its own transports: what a local run uses, and
// what a queue worker runs for each job it takes (src/queue/worker.ts).
import { formatProblem, GatherError, messageOf, ValidationError } from '../errors.js';
import type { Facts } from '../facts/types.js';
import type { Play } from '../playbook/types.js';
import { planHost } from '../plan/plan-host.js';
import { isChange, type HostPlan, type PlanEnv, type PreparedHost } from '../plan/types.js';
import { secrets } from '../secrets/redact.js';
import { recordPhase, timePhase } from '../timings.js';
import { applyHost, unreachableResult, type ApplyOptions, type HostApplyOutcome } from './apply-host.js';
import type { RunEvent } from '../report/events.js';
import { lockWait } from './host-lock.js';
import { gatherScript, type Gathered } from '../facts/gather.js';
import { FactCache } from './fact-cache.js';
import { hasWork, planDrift, planLines, sameWork, touchesHost } from './fresh-plan.js';
import { outputDigest } from './guarded-script.js';
import type {
  ApplyOutcome,
  Convergence,
  Drift,
  HostStats,
  HostWork,
  KeepOutcome,
  LockStep,
  Lost,
  PlanView,
  PreflightOutcome,
  Problems,
  ReplanOutcome,
  RollbackResult,
  StepOutcome,
} from './host-work.js';
import { probeHost, type HostHealth } from './probe-host.js';
import { plannedHandlerResult, plannedResult, type TaskResult } from './results.js';
import { rollBack, takeSnapshot, type Snapshot } from './rollback.js';
import { isUnreachable, type HostSessions } from './session.js';

/** Guarded applies of one host before it is failed for changing under the run each time. */
const GUARD_TRIES = 3;

export class LocalWork implements HostWork {
  private readonly facts: FactCache;
  private readonly plans: Map<string, HostPlan>[];

  /** `prepared`: per play, the hosts it targets (a worker holds only its job's host). `facts`: the
   *  facts already read over these sessions (a worker keeps them from one job of a run to the next).
   *  `live`: where the events of work in progress go as they happen (the run's reporter, or a
   *  worker's job, which passes them on to the coordinator). */
  constructor(
    private readonly plays: Play[],
    private readonly prepared: PreparedHost[][],
    private readonly env: PlanEnv,
    readonly sessions: HostSessions,
    private readonly forceHandlers: boolean,
    facts?: FactCache,
    private readonly live?: (e: RunEvent) => void,
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

  /** `live` hears which task a host's apply script starts; the host's vars say how long its apply lock is waited for. */
  private applyOptions(host: string): ApplyOptions {
    const live = this.live;
    const vars = this.prepared.flat().find((p) => p.host === host)?.vars ?? {};
    return {
      lockWait: lockWait(host, vars),
      ...(live ? { onRunning: (task, handler) => live({ event: 'task_running', host, task, ...(handler ? { handler } : {}) }) } : {}),
    };
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
    const plan = await this.fresh(play, host);
    if ('problems' in plan || 'lost' in plan) return plan;
    const drift = moved(before, plan);
    return drift ? { drift } : {};
  }

  /** The host's plan on facts gathered now; `notified`: handler keys earlier steps notified. */
  private async fresh(play: number, host: string, notified: string[] = []): Promise<HostPlan | Problems | Lost> {
    const prep = this.prep(play, host);
    try {
      this.facts.invalidate(host);
      const facts = await this.facts.get(host, prep.vars);
      const plan = planHost(prep, facts, this.env, this.offline(host), notified.length ? { notified } : {});
      this.plans[play]!.set(host, plan);
      return plan;
    } catch (err) {
      this.plans[play]!.delete(host);
      return failure(host, err);
    }
  }

  /** The plan held (a local run's, from its batch's replan), or one made now (a worker's job). */
  private held(play: number, host: string, notified: string[] = []): Promise<HostPlan | Problems | Lost> {
    const plan = this.plan(play, host);
    return plan ? Promise.resolve(plan) : this.fresh(play, host, notified);
  }

  /**
   * Plans the host again on its latest facts (the preflight's gather, or the one an earlier apply
   * brought back) and applies in ONE guarded exec (guarded-script.ts): it applies only while the
   * host still gives the gather that plan was made from, and gathers after, for the verify and
   * the next play. When the host changed, nothing is applied: the host is planned again on what
   * that exec read and tried again, at most GUARD_TRIES times; when only facts the plan does not
   * depend on moved, the next try applies without comparing. `before`: the lines of the plan the
   * run holds, to say when the plan moved; `keep`: a health gate's token, under which the files
   * of the plan about to be applied are kept first (again when the plan moved).
   */
  async apply(play: number, host: string, before: string[] = [], keep?: string): Promise<ApplyOutcome> {
    const prep = this.prep(play, host);
    let drift: Drift | undefined;
    let kept: Snapshot | undefined;
    const planOn = (facts: Facts): HostPlan => {
      const planning = performance.now();
      const plan = planHost(prep, facts, this.env, this.offline(host));
      recordPhase('plan', planning);
      this.plans[play]!.set(host, plan);
      drift = moved(before, plan);
      return plan;
    };
    const also = () => ({ ...(drift ? { drift } : {}), ...(kept ? { kept } : {}) });
    try {
      const gathered = await this.facts.gathered(host, prep.vars);
      const transport = this.sessions.existing(host);
      let plan = planOn(gathered.facts);
      let expected: string | null = outputDigest(gathered.stdout);
      let snapshotted: HostPlan | undefined;
      for (let tries = 1; ; tries++) {
        if (!hasWork(plan)) {
          const outcome = await applyHost(transport, plan, this.forceHandlers, [], undefined, this.applyOptions(host));
          return { results: outcome.results, applied: false, ...also() };
        }
        if (keep !== undefined && snapshotted !== plan) {
          const k = await this.snapshot(host, plan, keep);
          if ('lost' in k) return k;
          kept = k.kept;
          snapshotted = plan;
        }
        const guard = { gather: gatherScript(transport, this.facts.queries(host)), expected };
        const outcome = await timePhase('apply', () => applyHost(transport, plan, this.forceHandlers, [], guard, this.applyOptions(host)));
        const after = this.afterApply(host, outcome);
        if (!outcome.drift) {
          const results = await this.checked(prep, outcome, () => (typeof after === 'string' ? after : after.facts));
          return { results, applied: outcome.applied, ...also() };
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

  /** The results, verified on the facts read after the apply when a change ran and none failed. */
  private async checked(prep: PreparedHost, outcome: HostApplyOutcome, after: () => Facts | string): Promise<TaskResult[]> {
    if (!outcome.applied || outcome.results.some((r) => r.status === 'failed')) return outcome.results;
    return timePhase('verify', async () => verified(outcome.results, await this.convergence(prep, after)));
  }

  /** Gather again and plan: every task must now be a no-op, or it did not converge. The facts are
   *  read now: a worker may hold ones read before other workers' steps changed the host. */
  converged(play: number, host: string): Promise<Convergence> {
    const prep = this.prep(play, host);
    this.facts.invalidate(host);
    return this.convergence(prep, () => this.facts.get(host, prep.vars));
  }

  /** Plans on the host's facts after an apply (a message when they could not be read). */
  private async convergence(prep: PreparedHost, read: () => Promise<Facts> | Facts | string): Promise<Convergence> {
    const { host } = prep;
    const transport = this.sessions.existing(host);
    try {
      const facts = await read();
      if (typeof facts === 'string') throw new GatherError(facts);
      const again = planHost(prep, facts, { ...this.env, check: true }, transport.offline);
      const drift = again.tasks
        .filter((t) => t.task.checkMode !== true && !t.standby)
        .map(
          (t) =>
            [
              t.task.name,
              t.changes.filter((c) => isChange(c) && !(transport.offline && c.ops.every((o) => o.kind === 'exec' && o.live))),
            ] as const,
        )
        .filter(([, cs]) => cs.length > 0);
      return { drift: drift.map(([task, cs]) => [task, `did not converge: ${cs.map((c) => c.summary).join('; ')}`]) };
    } catch (err) {
      const msg = err instanceof ValidationError ? err.problems.map(formatProblem).join('; ') : messageOf(err);
      return { lost: { host, task: 'verify', status: isUnreachable(err) ? 'unreachable' : 'failed', changes: [], msg } };
    }
  }

  async keep(play: number, host: string, token: string): Promise<KeepOutcome> {
    const plan = await this.held(play, host);
    if ('problems' in plan) return { lost: planFailed(host, plan) };
    if ('lost' in plan) return plan;
    return this.snapshot(host, plan, token);
  }

  /** Keeps the files the plan replaces (none kept when it replaces none). */
  private async snapshot(host: string, plan: HostPlan, token: string): Promise<KeepOutcome> {
    if (!plan.tasks.some((t) => t.changes.some(isChange))) return {};
    try {
      return { kept: await takeSnapshot(this.sessions.existing(host), plan, token, this.applyOptions(host).lockWait) };
    } catch (err) {
      const status = isUnreachable(err) ? 'unreachable' : 'failed';
      return { lost: { host, task: 'keep files for rollback', status, changes: [], msg: messageOf(err) } };
    }
  }

  probe(play: number, host: string): Promise<HostHealth> {
    return probeHost(this.plays[play]!, host, this.prep(play, host).vars, this.env, this.sessions);
  }

  async rollback(play: number, host: string, kept: Snapshot): Promise<RollbackResult> {
    try {
      const vars = this.prep(play, host).vars;
      return await rollBack(await this.sessions.connect(host, vars), kept, lockWait(host, vars));
    } catch (err) {
      return { lost: { host, task: 'rollback', status: isUnreachable(err) ? 'unreachable' : 'failed', changes: [], msg: messageOf(err) } };
    }
  }

  async step(play: number, host: string, step: LockStep): Promise<StepOutcome> {
    const none = { results: [], applied: false, unreachable: false, notified: [] };
    const plan = await this.held(play, host, 'handlers' in step ? step.handlers : []);
    if ('problems' in plan || 'lost' in plan) {
      const r = 'lost' in plan ? plan.lost : planFailed(host, plan);
      return { ...none, results: [r], unreachable: r.status === 'unreachable' };
    }
    const transport = this.sessions.existing(host);
    if ('handlers' in step) {
      const handlers = plan.handlers.filter((h) => h.keys.some((k) => step.handlers.includes(k)));
      if (!handlers.length) return none;
      this.facts.invalidate(host);
      const done = await applyHost(
        transport,
        { ...plan, tasks: [], handlers },
        this.forceHandlers,
        step.handlers,
        undefined,
        this.applyOptions(host),
      );
      return { ...done, notified: [] };
    }
    const t = plan.tasks.find((x) => x.index === step.task);
    if (!t) return none;
    if (!t.changes.length) {
      const result: TaskResult = {
        host,
        task: t.task.name,
        status: t.status,
        changes: [],
        ...(t.msg ? { msg: t.msg } : {}),
        ...(t.warnings.length ? { warnings: t.warnings } : {}),
      };
      return { ...none, results: [result] };
    }
    this.facts.invalidate(host);
    const done = await applyHost(
      transport,
      { ...plan, tasks: [t], handlers: [] },
      this.forceHandlers,
      [],
      undefined,
      this.applyOptions(host),
    );
    const ran = done.results.some((r) => r.status === 'changed' && r.task === t.task.name);
    return { ...done, notified: ran ? t.changes.filter(isChange).flatMap((c) => c.notify ?? []) : [] };
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
  return { host: plan.host, hasWork: touchesHost(plan), lines: planLines(plan), rows };
}

/** Results with the tasks that did not converge failed, or the verify's own failure added. */
export function verified(results: TaskResult[], c: Convergence): TaskResult[] {
  if ('lost' in c) return [...results, c.lost];
  const drift = new Map(c.drift);
  return results.map((r) => {
    const msg = !r.handler && r.status !== 'failed' && drift.get(r.task);
    return msg ? { ...r, status: 'failed', msg } : r;
  });
}

/** A plan that found problems where only a result can go (the plan moved under a running batch). */
export function planFailed(host: string, p: Problems): TaskResult {
  return { host, task: 'plan', status: 'failed', changes: [], msg: p.problems.map(formatProblem).join('; ') };
}

/** How the plan made now differs from the lines the run holds. Both sides masked: lines that came
 *  through the queue carry a worker's secrets masked. */
function moved(before: string[], plan: HostPlan): Drift | undefined {
  return planDrift(secrets.redactValue(before), secrets.redactValue(planLines(plan)));
}

function failure(host: string, err: unknown): Problems | Lost {
  if (err instanceof ValidationError) return { problems: err.problems };
  const msg = messageOf(err);
  return {
    lost: isUnreachable(err) ? unreachableResult(host, msg) : { host, task: 'gather facts', status: 'failed', changes: [], msg },
  };
}
