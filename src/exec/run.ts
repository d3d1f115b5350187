// The executor: validate and prepare every play for every host, then the preflight: gather each
// host once and plan every play for it, each on the facts the earlier plays' plans leave (any
// problem: exit 3 before any host changes). Then either report the plans (--check) or apply each
// play in serial batches with forks, thresholds and handlers: a host with pending changes is
// planned again on its latest facts and applied in one guarded exec that applies only while the
// host still matches those facts and gathers it again after, for the verify and the next play.
import { EXIT, ValidationError, groupProblems, type Problem } from '../errors.js';
import type { Play, Vars } from '../playbook/types.js';
import type { PlanEnv, PreparedHost } from '../plan/types.js';
import type { HostRecap, Recap, Reporter, RunEvent } from '../report/events.js';
import { applyLockstep } from './lockstep.js';
import { haltAfterBatch, runLimited, splitBatches } from './batches.js';
import { SIGNAL_EXIT, type Interrupt } from './interrupt.js';
import type { TaskResult } from './results.js';
import { HostSessions, type TransportFactory } from './session.js';
import { prepareAll } from './prepare-all.js';
import { LoginGate } from './login-gate.js';
import { RolloutGate } from './rollout.js';
import { LocalWork, verified } from './local-work.js';
import { hasProblems, isLost, type ApplyOutcome, type HostWork, type PlanView, type Problems } from './host-work.js';
import { phaseTimings, timePhase } from '../timings.js';
import { reachedAfterPreflight } from './last-contact.js';

export interface PlayInput {
  play: Play;
  /** `roleVars[i]`: the variables the tasks of `play.roles[i]` see. */
  hosts: { name: string; vars: Vars; roleVars?: Vars[] }[];
}

/** Who does the work on hosts: this process (the default), or workers behind a queue. `live`:
 *  where events of work in progress go as they happen. */
export type WorkFactory = (plays: Play[], prepared: PreparedHost[][], sessions: HostSessions, live: (e: RunEvent) => void) => HostWork;

export interface RunOptions {
  env: PlanEnv;
  forks: number;
  forceHandlers: boolean;
  transportFor: TransportFactory;
  /** Sessions that started connecting while the run loaded, held before login by their gate. */
  sessions?: HostSessions;
  reporter: Reporter;
  interrupt?: Pick<Interrupt, 'signal'>;
  work?: WorkFactory;
}

const emptyRecap = (): Recap => ({ ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0 });

/** The first `n` distinct hosts in the order the preflight reads them, each with its first play's vars. */
function firstHosts(plays: PlayInput[], n: number): PlayInput['hosts'] {
  const seen = new Map<string, PlayInput['hosts'][number]>();
  for (const { hosts } of plays) for (const h of hosts) if (seen.size < n && !seen.has(h.name)) seen.set(h.name, h);
  return [...seen.values()];
}

export async function runPlaybook(plays: PlayInput[], opts: RunOptions): Promise<number> {
  const run = new Run(opts);
  try {
    return await run.all(plays);
  } finally {
    await run.close();
  }
}

class Run {
  private readonly sessions: HostSessions;
  private work?: HostWork;
  private readonly recap = new Map<string, Recap>();
  private readonly announced = new Set<string>();
  /** Hosts the preflight could not gather, reported with the first play that targets them. */
  private readonly lost = new Map<string, TaskResult>();
  /** Plays that ran something on each host: what a late problem must say was changed. */
  private readonly touched = new Map<string, string[]>();
  /** Hosts read or worked on since the preflight: their facts may have moved from its plans. */
  private readonly worked = new Set<string>();
  private changesPending = false;

  constructor(private readonly opts: RunOptions) {
    this.sessions = opts.sessions ?? new HostSessions(opts.transportFor, new LoginGate());
  }

  async close(): Promise<void> {
    await Promise.all([this.work?.close(), this.sessions.closeAll()]);
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
    // A failure a rescue handled is counted as rescued, and the host goes on (Ansible's recap).
    if (r.rescued) rc.rescued = (rc.rescued ?? 0) + 1;
    else rc[r.status]++;
    this.recap.set(r.host, rc);
    if ((r.status === 'failed' && !r.rescued) || r.status === 'unreachable') this.sessions.out.set(r.host, r.status);
  }

  async all(plays: PlayInput[]): Promise<number> {
    for (const { hosts } of plays) for (const h of hosts) if (!this.recap.has(h.name)) this.recap.set(h.name, emptyRecap());
    // The first hosts the preflight reads start connecting now (if they did not while the run
    // loaded), so their handshakes overlap the preparing below; no host is logged in to before
    // every task of every play is rendered and validated for every host.
    if (!this.opts.work) for (const h of firstHosts(plays, this.opts.forks)) this.sessions.warm(h.name, h.vars);
    let prepared: PreparedHost[][];
    let early: Problem[];
    try {
      ({ prepared, problems: early } = prepareAll(plays, this.opts.env, this.sessions));
    } catch (err) {
      if (err instanceof ValidationError) return this.invalid(err.problems);
      throw err;
    }
    this.sessions.allowLogin();
    // The first plan would compile the templates while the other hosts' gathers wait for it.
    if (!this.opts.work) void this.opts.env.compileTemplatesAhead?.();
    const work = (this.work = (this.opts.work ?? localWork(this.opts))(
      plays.map((p) => p.play),
      prepared,
      this.sessions,
      (e) => this.emit(e),
    ));

    // Hosts are read (never changed) even when the args alone showed problems, so that the plan's
    // problems are reported with them.
    const { planned, problems: late } = await this.preflight(plays, prepared, work);
    if (this.stopping) return this.finish();
    if (early.length || late.length) {
      // Hosts were read, none was changed: the recap still closes the run.
      this.invalid([...early, ...late]);
      this.emitRecap();
      return EXIT.invalid;
    }

    for (const [i, { play }] of plays.entries()) {
      if (this.stopping) break;
      const code = await this.play(i, play, prepared[i]!, planned[i]!);
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
  private async preflight(
    plays: PlayInput[],
    prepared: PreparedHost[][],
    work: HostWork,
  ): Promise<{ planned: Map<string, PlanView>[]; problems: Problem[] }> {
    const planned = prepared.map(() => new Map<string, PlanView>());
    const playList = plays.map((p) => p.play);
    const problems: Problem[] = [];
    const hosts = [...new Set(prepared.flat().map((p) => p.host))];
    const tally = { done: 0, failed: 0, unreachable: 0 };
    await runLimited(
      hosts,
      this.opts.forks,
      async (host) => {
        const o = await work.preflight(host);
        if (hasProblems(o)) problems.push(...o.problems);
        else if (isLost(o)) {
          this.lost.set(host, o.lost);
          tally[o.lost.status === 'unreachable' ? 'unreachable' : 'failed']++;
        } else {
          o.views.forEach((v, i) => v && planned[i]!.set(host, v));
          // Its connection closes while other hosts are still read, not at the run's end.
          if (!reachedAfterPreflight(this.opts.env.check, playList, o.views)) this.sessions.release(host);
        }
        tally.done++;
        this.emit({ event: 'plan_progress', total: hosts.length, ...tally });
      },
      () => !this.stopping,
    );
    return { planned, problems };
  }

  /** Returns an exit code when the run must end here (a problem found late or a halted play). */
  private async play(index: number, play: Play, prepared: PreparedHost[], planned: Map<string, PlanView>): Promise<number | undefined> {
    const active = prepared.filter((p) => !this.sessions.out.has(p.host));
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
    return this.applyBatches(index, play, active, plans);
  }

  /** Replans the batch's hosts that have pending changes on facts gathered now. Returns the
   *  problems found (the run must stop), after reporting hosts whose plan moved since the preflight. */
  private async freshPlans(index: number, play: Play, batch: PreparedHost[], plans: Map<string, PlanView>): Promise<Problem[]> {
    const problems: Problem[] = [];
    const pending = batch.filter((p) => plans.get(p.host)?.hasWork);
    for (const p of pending) this.worked.add(p.host);
    await runLimited(
      pending,
      this.opts.forks,
      async (p) => {
        const o = await this.work!.replan(index, p.host, plans.get(p.host)!.lines);
        if (hasProblems(o) || isLost(o)) plans.delete(p.host);
        if (hasProblems(o)) problems.push(...o.problems);
        else if (isLost(o)) this.result(o.lost);
        else if (o.drift) this.emit({ event: 'replanned', host: p.host, play: play.name, ...o.drift });
      },
      () => !this.stopping,
    );
    return problems;
  }

  /** Check mode: the plan, task by task across hosts. */
  private reportPlans(plans: PlanView[]): void {
    const rows = new Map<string, TaskResult[]>();
    for (const plan of plans) {
      for (const { key, result } of plan.rows) rows.set(key, [...(rows.get(key) ?? []), result]);
      // Handlers flushed mid-play run whatever they change, as the tasks after them do.
      if (plan.rows.some((r) => (!r.result.handler && r.result.status === 'changed') || r.key.startsWith('h@'))) this.changesPending = true;
    }
    for (const results of rows.values()) for (const r of results) this.result(r);
    for (const plan of plans) this.hostStats(plan.host);
  }

  /** Returns the exit code when the play (and the run) halts. */
  private async applyBatches(index: number, play: Play, active: PreparedHost[], plans: Map<string, PlanView>): Promise<number | undefined> {
    const batches = splitBatches(active, play.serial);
    const work = this.work!;
    // A play whose tasks --tags/--skip-tags leave out changes nothing: none of its probes run.
    const gate = active.some((p) => p.tasks.length)
      ? RolloutGate.for(play, index, work, this.sessions.out, (r) => this.result(r))
      : undefined;
    for (const [b, batch] of batches.entries()) {
      if (this.stopping) return this.finish();
      this.emit({ event: 'batch_start', batch: b + 1, hosts: batch.map((p) => p.host) });
      // any_errors_fatal goes task by task: its hosts are gathered and planned again first.
      const late = play.anyErrorsFatal ? await this.freshPlans(index, play, batch, plans) : [];
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
      const kept = async (p: PreparedHost) => !gate || (await gate.before(p.host));
      if (play.anyErrorsFatal) {
        const going: PreparedHost[] = [];
        await runLimited(planned, this.opts.forks, async (p) => {
          if (await kept(p)) going.push(p);
          else count(p.host);
        });
        const lockstep = going.map((p) => ({ host: p.host, tasks: [...new Set(p.tasks.map((t) => t.index))] }));
        const outcomes = await timePhase('apply', () =>
          applyLockstep(lockstep, this.opts.forks, this.opts.forceHandlers, (host, s) => work.step(index, host, s)),
        );
        for (const p of going) {
          const { results, applied } = outcomes.get(p.host)!;
          const settled =
            applied && !results.some((r) => r.status === 'failed')
              ? await timePhase('verify', async () => verified(results, await work.converged(index, p.host)))
              : results;
          if (this.settle(play, p.host, { results: settled, applied })) tally.changed++;
          count(p.host);
        }
      } else {
        await runLimited(
          planned,
          this.opts.forks,
          async (p) => {
            const view = plans.get(p.host)!;
            // Nothing to run on a host still as the preflight read it: the plan's rows are the
            // results, and no host work is needed (no job, where workers do it).
            if (!view.hasWork && !this.worked.has(p.host)) {
              this.settle(play, p.host, { results: view.rows.map((r) => r.result), applied: false });
              return count(p.host);
            }
            this.worked.add(p.host);
            const outcome = await work.apply(index, p.host, view.lines, gate?.token);
            // A problem the host's fresh facts show ends the run (exit 3) once the batch is done.
            if (hasProblems(outcome)) late.push(...outcome.problems);
            else {
              if ('kept' in outcome && outcome.kept) gate?.keeps(p.host, outcome.kept);
              if (this.settle(play, p.host, outcome)) tally.changed++;
            }
            count(p.host);
          },
          () => !this.stopping,
        );
        if (late.length) {
          this.invalid(late);
          this.emitRecap();
          return EXIT.invalid;
        }
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

  /** Reports a host's apply. Returns whether anything changed. */
  private settle(play: Play, host: string, outcome: Exclude<ApplyOutcome, Problems>): boolean {
    if ('drift' in outcome && outcome.drift) this.emit({ event: 'replanned', host, play: play.name, ...outcome.drift });
    const results = isLost(outcome) ? [outcome.lost] : outcome.results;
    if ('applied' in outcome && outcome.applied) this.touched.set(host, [...new Set([...(this.touched.get(host) ?? []), play.name])]);
    for (const r of results) this.result(r);
    this.hostStats(host);
    return results.some((r) => r.status === 'changed');
  }

  private hostStats(host: string): void {
    this.emit({ event: 'host_stats', host, ...this.work!.stats(host) });
  }

  private emitRecap(): void {
    const hosts: Record<string, HostRecap> = {};
    for (const [host, rc] of this.recap) hosts[host] = { ...rc, round_trips: this.work?.stats(host).roundTrips ?? 0 };
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

function localWork(opts: RunOptions): WorkFactory {
  return (plays, prepared, sessions, live) => new LocalWork(plays, prepared, opts.env, sessions, opts.forceHandlers, undefined, live);
}
