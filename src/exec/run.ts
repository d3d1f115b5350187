// The executor: validate and prepare every play for every host, then the preflight: gather each
// host once and plan every play for it, each on the facts the earlier plays' plans leave (any
// problem: exit 3 before any host changes). Then either report the plans (--check) or apply each
// play in serial batches with forks, thresholds and handlers, replanning a host with pending
// changes on facts gathered at the start of its batch, and verify.
import { EXIT, ValidationError, formatProblem, groupProblems, messageOf, type Problem } from '../errors.js';
import type { Facts } from '../facts/types.js';
import type { Play, Vars } from '../playbook/types.js';
import { planHost } from '../plan/plan-host.js';
import { isChange, type HostPlan, type PlanEnv, type PreparedHost } from '../plan/types.js';
import type { HostRecap, Recap, Reporter, RunEvent } from '../report/events.js';
import { applyHost, unreachableResult, type HostApplyOutcome } from './apply-host.js';
import { applyLockstep } from './lockstep.js';
import { haltAfterBatch, runLimited, splitBatches } from './batches.js';
import { SIGNAL_EXIT, type Interrupt } from './interrupt.js';
import { noLogFlag, plannedResult, shownChanges, type TaskResult } from './results.js';
import { HostSessions, isUnreachable, type TransportFactory } from './session.js';
import { FactCache } from './fact-cache.js';
import { prepareAll } from './prepare-all.js';
import { RolloutGate } from './rollout.js';
import { hasWork, planDrift } from './fresh-plan.js';
import { phaseTimings, recordPhase, timePhase } from '../timings.js';

export interface PlayInput {
  play: Play;
  /** `roleVars[i]`: the variables the tasks of `play.roles[i]` see. */
  hosts: { name: string; vars: Vars; roleVars?: Vars[] }[];
}

export interface RunOptions {
  env: PlanEnv;
  forks: number;
  forceHandlers: boolean;
  transportFor: TransportFactory;
  reporter: Reporter;
  interrupt?: Pick<Interrupt, 'signal'>;
}

const emptyRecap = (): Recap => ({ ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0 });

export async function runPlaybook(plays: PlayInput[], opts: RunOptions): Promise<number> {
  const run = new Run(opts);
  try {
    return await run.all(plays);
  } finally {
    await run.sessions.closeAll();
  }
}

class Run {
  readonly sessions: HostSessions;
  private readonly facts: FactCache;
  private readonly recap = new Map<string, Recap>();
  private readonly announced = new Set<string>();
  /** Hosts the preflight could not gather, reported with the first play that targets them. */
  private readonly lost = new Map<string, TaskResult>();
  /** Plays that ran something on each host: what a late problem must say was changed. */
  private readonly touched = new Map<string, string[]>();
  private changesPending = false;

  constructor(private readonly opts: RunOptions) {
    this.sessions = new HostSessions(opts.transportFor);
    this.facts = new FactCache(this.sessions);
  }

  private emit(e: RunEvent): void {
    this.opts.reporter.emit(e);
  }

  private get stopping(): boolean {
    return !!this.opts.interrupt?.signal;
  }

  private result(r: TaskResult): void {
    const key = `${r.handler ? 'h' : 't'}:${r.task}`;
    if (!this.announced.has(key)) {
      this.announced.add(key);
      this.emit({ event: 'task_start', task: r.task, ...(r.handler ? { handler: true } : {}) });
    }
    this.emit({ event: 'result', ...r });
    const rc = this.recap.get(r.host) ?? emptyRecap();
    rc[r.status]++;
    this.recap.set(r.host, rc);
    if (r.status === 'failed' || r.status === 'unreachable') this.sessions.out.set(r.host, r.status);
  }

  async all(plays: PlayInput[]): Promise<number> {
    for (const { hosts } of plays) for (const h of hosts) if (!this.recap.has(h.name)) this.recap.set(h.name, emptyRecap());
    // Every task of every play is rendered and validated for every host before any host is contacted.
    let prepared: PreparedHost[][];
    let early: Problem[];
    try {
      ({ prepared, problems: early } = prepareAll(plays, this.opts.env, this.sessions));
    } catch (err) {
      if (err instanceof ValidationError) return this.invalid(err.problems);
      throw err;
    }
    for (const p of prepared.flat()) this.facts.want(p.host, p.queries);

    // Hosts are read (never changed) even when the args alone showed problems, so that the plan's
    // problems are reported with them.
    const { planned, problems: late } = await this.preflight(prepared);
    if (this.stopping) return this.finish();
    if (early.length || late.length) {
      // Hosts were read, none was changed: the recap still closes the run.
      this.invalid([...early, ...late]);
      this.emitRecap();
      return EXIT.invalid;
    }

    for (const [i, { play, hosts }] of plays.entries()) {
      if (this.stopping) break;
      const code = await this.play(play, hosts, prepared[i]!, planned[i]!);
      if (code !== undefined) return code;
    }
    return this.finish();
  }

  private invalid(problems: Problem[]): number {
    const changed = [...this.touched].map(([host, plays]) => ({ host, plays }));
    this.emit({ event: 'problems', problems: groupProblems(problems), ...(changed.length ? { changed } : {}) });
    return EXIT.invalid;
  }

  /** Every play planned for every host it targets before any host changes: one gather per host,
   *  and each play plans on the facts the earlier plays' plans leave, as check mode shows them. */
  private async preflight(prepared: PreparedHost[][]): Promise<{ planned: Map<string, HostPlan>[]; problems: Problem[] }> {
    const planned = prepared.map(() => new Map<string, HostPlan>());
    const problems: Problem[] = [];
    const hosts = [...new Map(prepared.flat().map((p) => [p.host, p.vars])).entries()];
    const tally = { done: 0, failed: 0, unreachable: 0 };
    await runLimited(
      hosts,
      this.opts.forks,
      async ([host, vars]) => {
        try {
          let facts: Facts = await this.facts.get(host, vars);
          for (const [i, preps] of prepared.entries()) {
            const prep = preps.find((p) => p.host === host);
            if (!prep) continue;
            const planning = performance.now();
            const plan = planHost(prep, facts, this.opts.env, this.sessions.existing(host).offline);
            recordPhase('plan', planning);
            planned[i]!.set(host, plan);
            facts = plan.after;
          }
        } catch (err) {
          if (err instanceof ValidationError) {
            problems.push(...err.problems);
          } else {
            const msg = messageOf(err);
            this.lost.set(
              host,
              isUnreachable(err) ? unreachableResult(host, msg) : { host, task: 'gather facts', status: 'failed', changes: [], msg },
            );
            tally[isUnreachable(err) ? 'unreachable' : 'failed']++;
          }
        }
        tally.done++;
        this.emit({ event: 'plan_progress', total: hosts.length, ...tally });
      },
      () => !this.stopping,
    );
    return { planned, problems };
  }

  /** Returns an exit code when the run must end here (a problem found late or a halted play). */
  private async play(
    play: Play,
    hosts: PlayInput['hosts'],
    prepared: PreparedHost[],
    planned: Map<string, HostPlan>,
  ): Promise<number | undefined> {
    const active = prepared.filter((p) => !this.sessions.out.has(p.host));
    const vars = new Map(hosts.map((h) => [h.name, h.vars]));
    this.announced.clear();
    this.emit({ event: 'play_start', play: play.name, hosts: active.map((p) => p.host), check: this.opts.env.check });
    for (const p of active) {
      const lost = this.lost.get(p.host);
      if (lost) this.result(lost);
      this.lost.delete(p.host);
    }
    const plans = new Map(active.flatMap((p) => (planned.has(p.host) ? [[p.host, planned.get(p.host)!] as const] : [])));

    if (this.opts.env.check) {
      this.reportPlans([...plans.values()]);
      return undefined;
    }
    return this.applyBatches(play, active, plans, vars);
  }

  /** Replans the batch's hosts that have pending changes on facts gathered now. Returns the
   *  problems found (the run must stop), after reporting hosts whose plan moved since the preflight. */
  private async freshPlans(play: Play, batch: PreparedHost[], plans: Map<string, HostPlan>): Promise<Problem[]> {
    const problems: Problem[] = [];
    const pending = batch.filter((p) => plans.has(p.host) && hasWork(plans.get(p.host)!));
    await runLimited(
      pending,
      this.opts.forks,
      async (p) => {
        const before = plans.get(p.host)!;
        try {
          this.facts.invalidate(p.host);
          const facts = await this.facts.get(p.host, p.vars);
          const plan = planHost(p, facts, this.opts.env, this.sessions.existing(p.host).offline);
          plans.set(p.host, plan);
          const drift = planDrift(before, plan);
          if (drift) this.emit({ event: 'replanned', host: p.host, play: play.name, ...drift });
        } catch (err) {
          plans.delete(p.host);
          if (err instanceof ValidationError) {
            problems.push(...err.problems);
          } else {
            const msg = messageOf(err);
            this.result(
              isUnreachable(err)
                ? unreachableResult(p.host, msg)
                : { host: p.host, task: 'gather facts', status: 'failed', changes: [], msg },
            );
          }
        }
      },
      () => !this.stopping,
    );
    return problems;
  }

  /** Check mode: the plan, task by task across hosts. */
  private reportPlans(plans: HostPlan[]): void {
    const rows = new Map<string, TaskResult[]>();
    const add = (key: string, r: TaskResult) => rows.set(key, [...(rows.get(key) ?? []), r]);
    for (const plan of plans) {
      for (const t of plan.tasks) {
        const r = plannedResult(plan.host, t);
        add(`t${t.index}`, r);
      }
      for (const h of plan.handlers)
        add(`h:${h.name}`, {
          host: plan.host,
          task: h.name,
          status: 'changed',
          changes: shownChanges(h.changes),
          handler: true,
          ...noLogFlag(h.noLog),
        });
      if (plan.tasks.some((t) => t.status === 'changed')) this.changesPending = true;
    }
    for (const results of rows.values()) for (const r of results) this.result(r);
    for (const plan of plans) this.hostStats(plan.host);
  }

  /** Returns the exit code when the play (and the run) halts. */
  private async applyBatches(
    play: Play,
    active: PreparedHost[],
    plans: Map<string, HostPlan>,
    vars: Map<string, Vars>,
  ): Promise<number | undefined> {
    const batches = splitBatches(active, play.serial);
    // A play whose tasks --tags/--skip-tags leave out changes nothing: none of its probes run.
    const gate = active.some((p) => p.tasks.length)
      ? RolloutGate.for(play, this.opts.env, this.sessions, (r) => this.result(r))
      : undefined;
    for (const [b, batch] of batches.entries()) {
      if (this.stopping) return this.finish();
      this.emit({ event: 'batch_start', batch: b + 1, hosts: batch.map((p) => p.host) });
      const late = await this.freshPlans(play, batch, plans);
      if (late.length) {
        this.invalid(late);
        this.emitRecap();
        return EXIT.invalid;
      }
      const tally = { size: batch.length, done: 0, changed: 0, failed: 0, unreachable: 0 };
      const progress = () =>
        this.emit({
          event: 'progress',
          batch: b + 1,
          total: tally.size,
          done: tally.done,
          changed: tally.changed,
          failed: tally.failed,
          unreachable: tally.unreachable,
        });
      const count = (host: string) => {
        const out = this.sessions.out.get(host);
        if (out) tally[out]++;
        tally.done++;
        progress();
      };
      // Hosts lost while gathering are already reported; they still count in their batch.
      const lost = batch.filter((p) => !plans.has(p.host));
      for (const p of lost) count(p.host);
      // A terminal shows the batch at once (0 done), not only when its first host finishes.
      if (!lost.length) progress();
      const planned = batch.filter((p) => plans.has(p.host));
      if (play.anyErrorsFatal) {
        const kept: PreparedHost[] = [];
        await runLimited(planned, this.opts.forks, async (p) => {
          if (gate && !(await gate.before(p, plans.get(p.host)!))) count(p.host);
          else kept.push(p);
        });
        const lockstep = kept.map((p) => ({ host: p.host, transport: this.sessions.existing(p.host), plan: plans.get(p.host)! }));
        const outcomes = await timePhase('apply', () => applyLockstep(lockstep, this.opts.forks, this.opts.forceHandlers));
        for (const p of kept) {
          if (await this.settle(play, p, plans.get(p.host)!, vars.get(p.host)!, outcomes.get(p.host)!)) tally.changed++;
          count(p.host);
        }
      } else {
        await runLimited(
          planned,
          this.opts.forks,
          async (p) => {
            if (gate && !(await gate.before(p, plans.get(p.host)!))) return count(p.host);
            const plan = plans.get(p.host)!;
            const outcome = await timePhase('apply', () => applyHost(this.sessions.existing(p.host), plan, this.opts.forceHandlers));
            if (await this.settle(play, p, plan, vars.get(p.host)!, outcome)) tally.changed++;
            count(p.host);
          },
          () => !this.stopping,
        );
      }
      const gated = await gate?.after(
        batch.map((p) => p.host),
        batches
          .slice(b + 1)
          .flat()
          .map((p) => p.host),
      );
      const reason = gated ?? haltAfterBatch(tally, { maxFailPercentage: play.maxFailPercentage, anyErrorsFatal: play.anyErrorsFatal });
      if (reason) {
        this.emit({ event: 'halt', reason: `play "${play.name}" halted after batch ${b + 1}: ${reason}` });
        return this.finish();
      }
    }
    return undefined;
  }

  /** After the apply: verify the host converged and report it. Returns whether anything changed. */
  private async settle(play: Play, prep: PreparedHost, plan: HostPlan, vars: Vars, outcome: HostApplyOutcome): Promise<boolean> {
    if (outcome.applied) this.touched.set(prep.host, [...new Set([...(this.touched.get(prep.host) ?? []), play.name])]);
    if (plan.tasks.some((t) => t.changes.length) || plan.handlers.length) this.facts.invalidate(prep.host);
    let results = outcome.results;
    if (outcome.applied && !results.some((r) => r.status === 'failed'))
      results = await timePhase('verify', () => this.verify(prep, vars, results));
    for (const r of results) this.result(r);
    this.hostStats(prep.host);
    return results.some((r) => r.status === 'changed');
  }

  /** Gather again and plan: every task must now be a no-op, or it did not converge. */
  private async verify(prep: PreparedHost, vars: Vars, results: TaskResult[]): Promise<TaskResult[]> {
    const transport = this.sessions.existing(prep.host);
    try {
      const facts = await this.facts.get(prep.host, vars);
      const again = planHost(prep, facts, { ...this.opts.env, check: true }, transport.offline);
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

  private hostStats(host: string): void {
    const t = this.sessions.existing(host);
    this.emit({ event: 'host_stats', host, roundTrips: t.roundTrips, bytesUploaded: t.bytesUploaded });
  }

  private emitRecap(): void {
    const hosts: Record<string, HostRecap> = {};
    for (const [host, rc] of this.recap) hosts[host] = { ...rc, round_trips: this.sessions.roundTrips(host) };
    this.emit({ event: 'recap', hosts, timings: phaseTimings() });
  }

  private finish(): number {
    const signal = this.opts.interrupt?.signal;
    if (signal) this.emit({ event: 'interrupted', signal });
    this.emitRecap();
    if (signal) return SIGNAL_EXIT[signal];
    const all = [...this.recap.values()];
    if (all.some((r) => r.failed > 0)) return EXIT.failed;
    if (all.some((r) => r.unreachable > 0)) return EXIT.unreachable;
    if (this.opts.env.check && this.changesPending) return EXIT.changesPending;
    return EXIT.ok;
  }
}
