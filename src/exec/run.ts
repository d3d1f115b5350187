// The executor: validate and prepare every play for every host, then per play gather once per
// host, plan all hosts (any plan error: exit 3 before anything changes), and either report the
// plan (--check) or apply it in serial batches with forks, thresholds and handlers, then verify.
import { EXIT, ValidationError, formatProblem, groupProblems, messageOf, type Problem } from '../errors.js';
import type { Play, Vars } from '../playbook/types.js';
import { planHost } from '../plan/plan-host.js';
import { isChange, type HostPlan, type PlanEnv, type PreparedHost } from '../plan/types.js';
import type { HostRecap, Recap, Reporter, RunEvent } from '../report/events.js';
import { applyHost, unreachableResult } from './apply-host.js';
import { haltAfterBatch, runLimited, splitBatches } from './batches.js';
import { SIGNAL_EXIT, type Interrupt } from './interrupt.js';
import { shownChanges, type TaskResult } from './results.js';
import { HostSessions, isUnreachable, type TransportFactory } from './session.js';
import { FactCache } from './fact-cache.js';
import { prepareAll } from './prepare-all.js';
import { RolloutGate } from './rollout.js';

export interface PlayInput {
  play: Play;
  hosts: { name: string; vars: Vars }[];
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
    try {
      prepared = prepareAll(plays, this.opts.env, this.sessions);
    } catch (err) {
      if (err instanceof ValidationError) return this.invalid(err.problems);
      throw err;
    }
    for (const p of prepared.flat()) this.facts.want(p.host, p.queries);

    for (const [i, { play, hosts }] of plays.entries()) {
      if (this.stopping) break;
      const code = await this.play(play, hosts, prepared[i]!);
      if (code !== undefined) return code;
    }
    return this.finish();
  }

  private invalid(problems: Problem[]): number {
    this.emit({ event: 'problems', problems: groupProblems(problems) });
    return EXIT.invalid;
  }

  /** Returns an exit code when the run must end here (invalid plan or a halted play). */
  private async play(play: Play, hosts: PlayInput['hosts'], prepared: PreparedHost[]): Promise<number | undefined> {
    const active = prepared.filter((p) => !this.sessions.out.has(p.host));
    const vars = new Map(hosts.map((h) => [h.name, h.vars]));
    this.announced.clear();
    this.emit({ event: 'play_start', play: play.name, hosts: active.map((p) => p.host), check: this.opts.env.check });

    const plans = new Map<string, HostPlan>();
    const problems: Problem[] = [];
    const tally = { done: 0, failed: 0, unreachable: 0 };
    await runLimited(
      active,
      this.opts.forks,
      async (p) => {
        try {
          const facts = await this.facts.get(p.host, vars.get(p.host)!);
          const plan = planHost(p, facts, this.opts.env, this.sessions.existing(p.host).offline);
          plans.set(p.host, plan);
          if (this.opts.env.check) this.facts.set(p.host, plan.after);
        } catch (err) {
          if (err instanceof ValidationError) {
            problems.push(...err.problems);
          } else {
            const msg = messageOf(err);
            this.result(isUnreachable(err) ? unreachableResult(p.host, msg) : { host: p.host, task: 'gather facts', status: 'failed', changes: [], msg });
            tally[isUnreachable(err) ? 'unreachable' : 'failed']++;
          }
        }
        tally.done++;
        this.emit({ event: 'plan_progress', total: active.length, ...tally });
      },
      () => !this.stopping,
    );
    if (problems.length) {
      // Hosts were contacted (and earlier plays may have changed them): the recap still closes the run.
      this.invalid(problems);
      this.emitRecap();
      return EXIT.invalid;
    }

    if (this.opts.env.check) {
      this.reportPlans(active.map((p) => plans.get(p.host)).filter((p): p is HostPlan => !!p));
      return undefined;
    }
    const halted = await this.applyBatches(play, active, plans, vars);
    return halted ? this.finish() : undefined;
  }

  /** Check mode: the plan, task by task across hosts. */
  private reportPlans(plans: HostPlan[]): void {
    const rows = new Map<string, TaskResult[]>();
    const add = (key: string, r: TaskResult) => rows.set(key, [...(rows.get(key) ?? []), r]);
    for (const plan of plans) {
      for (const t of plan.tasks) {
        const r: TaskResult = { host: plan.host, task: t.task.name, status: t.status, changes: shownChanges(t.changes) };
        if (t.msg) r.msg = t.msg;
        if (t.warnings.length) r.warnings = t.warnings;
        add(`t${t.index}`, r);
      }
      for (const h of plan.handlers) add(`h:${h.name}`, { host: plan.host, task: h.name, status: 'changed', changes: shownChanges(h.changes), handler: true });
      if (plan.tasks.some((t) => t.status === 'changed')) this.changesPending = true;
    }
    for (const results of rows.values()) for (const r of results) this.result(r);
    for (const plan of plans) this.hostStats(plan.host);
  }

  /** Returns true when the play (and the run) halts. */
  private async applyBatches(play: Play, active: PreparedHost[], plans: Map<string, HostPlan>, vars: Map<string, Vars>): Promise<boolean> {
    const batches = splitBatches(active, play.serial);
    const gate = RolloutGate.for(play, this.opts.env, this.sessions, (r) => this.result(r));
    for (const [b, batch] of batches.entries()) {
      if (this.stopping) return true;
      this.emit({ event: 'batch_start', batch: b + 1, hosts: batch.map((p) => p.host) });
      const tally = { size: batch.length, done: 0, changed: 0, failed: 0, unreachable: 0 };
      const progress = () =>
        this.emit({ event: 'progress', batch: b + 1, total: tally.size, done: tally.done, changed: tally.changed, failed: tally.failed, unreachable: tally.unreachable });
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
      const fatalStop = () => play.anyErrorsFatal && tally.failed + tally.unreachable > 0;
      await runLimited(
        batch.filter((p) => plans.has(p.host)),
        this.opts.forks,
        async (p) => {
          if (gate && !(await gate.before(p, plans.get(p.host)!))) return count(p.host);
          const changed = await this.applyOne(p, plans.get(p.host)!, vars.get(p.host)!);
          if (changed) tally.changed++;
          count(p.host);
        },
        () => !this.stopping && !fatalStop(),
      );
      const gated = await gate?.after(batch.map((p) => p.host), batches.slice(b + 1).flat().map((p) => p.host));
      const reason = gated ?? haltAfterBatch(tally, { maxFailPercentage: play.maxFailPercentage, anyErrorsFatal: play.anyErrorsFatal });
      if (reason) {
        this.emit({ event: 'halt', reason: `play "${play.name}" halted after batch ${b + 1}: ${reason}` });
        return true;
      }
    }
    return false;
  }

  /** Apply, then verify the host converged. Returns whether anything changed. */
  private async applyOne(prep: PreparedHost, plan: HostPlan, vars: Vars): Promise<boolean> {
    const transport = this.sessions.existing(prep.host);
    const outcome = await applyHost(transport, plan, this.opts.forceHandlers);
    if (plan.tasks.some((t) => t.changes.length) || plan.handlers.length) this.facts.invalidate(prep.host);
    let results = outcome.results;
    if (outcome.applied && !results.some((r) => r.status === 'failed')) results = await this.verify(prep, vars, results);
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
          .map((t) => [t.task.name, t.changes.filter((c) => isChange(c) && !(transport.offline && c.ops.every((o) => o.kind === 'exec' && o.live)))] as const)
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
    this.emit({ event: 'recap', hosts });
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
