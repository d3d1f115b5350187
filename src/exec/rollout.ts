// Health-gated rollout. For a play with a `health:` list, each batch is applied, then the hosts it
// changed are probed (a check that could not run fails unless its task lets it pass); if
// any host of the batch failed (a task or a health check), every host of the batch that changed
// is rolled back (previous files, handlers re-run), probed again, and the play halts with a
// report naming what failed, what was restored and which hosts were never touched.
import { randomBytes } from 'node:crypto';
import type { Play, Vars } from '../playbook/types.js';
import { isChange, type HostPlan, type PlanEnv, type PreparedHost } from '../plan/types.js';
import { failureSummary, probeHost, type HostHealth } from './probe-host.js';
import { rollBack, takeSnapshot, type Snapshot } from './rollback.js';
import type { TaskResult } from './results.js';
import { isUnreachable, type HostSessions } from './session.js';

type Report = (r: TaskResult) => void;

export class RolloutGate {
  private readonly token = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly vars = new Map<string, Vars>();

  private constructor(
    private readonly play: Play,
    private readonly env: PlanEnv,
    private readonly sessions: HostSessions,
    private readonly report: Report,
  ) {}

  /** A gate for plays with a health list; undefined otherwise. */
  static for(play: Play, env: PlanEnv, sessions: HostSessions, report: Report): RolloutGate | undefined {
    return play.health?.length ? new RolloutGate(play, env, sessions, report) : undefined;
  }

  /** Keeps the files the host's plan replaces. False (reported) when that fails: the host is not applied. */
  async before(prep: PreparedHost, plan: HostPlan): Promise<boolean> {
    this.vars.set(prep.host, prep.vars);
    if (!plan.tasks.some((t) => t.changes.some(isChange))) return true;
    try {
      this.snapshots.set(prep.host, await takeSnapshot(this.sessions.existing(prep.host), plan, this.token));
      return true;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.report({
        host: prep.host,
        task: 'keep files for rollback',
        status: isUnreachable(err) ? 'unreachable' : 'failed',
        changes: [],
        msg,
      });
      return false;
    }
  }

  /** Probes the batch; on any failure rolls it back. Returns the halt reason, or undefined to go on. */
  async after(batch: string[], later: string[]): Promise<string | undefined> {
    const failedTasks = batch.filter((h) => this.sessions.out.has(h));
    // The gate judges what the batch changed: hosts it left alone are not probed (and not called
    // healthy), so a run that changes nothing reads each host once.
    const probed = await Promise.all(
      batch.filter((h) => !this.sessions.out.has(h) && this.snapshots.has(h)).map((h) => this.probe(h, 'health')),
    );
    const unhealthy = probed.filter((h) => !h.ok);
    if (failedTasks.length === 0 && unhealthy.length === 0) return undefined;

    const rolled = batch.filter((h) => this.snapshots.has(h));
    const lines = await Promise.all(rolled.map((h) => this.rollBackHost(h)));
    const failures = [...failedTasks.map((h) => `${h}: a task failed`), ...unhealthy.map((h) => `${h.host}: ${failureSummary(h)}`)];
    return [
      `health gate: batch of ${batch.join(', ')} failed (${failures.join(' | ')})`,
      rolled.length ? `rolled back: ${lines.join(' | ')}` : 'nothing to roll back: no host of the batch had changed',
      later.length ? `not started: ${later.join(', ')}` : 'no later batches',
    ].join('; ');
  }

  private async probe(host: string, label: string): Promise<HostHealth> {
    const h = await probeHost(this.play, host, this.vars.get(host) ?? {}, this.env, this.sessions);
    for (const t of h.tasks) {
      const bad = t.results.filter((r) => !r.ok);
      const msg = (bad.length ? bad : t.results).map((r) => `${r.check}: ${r.value}`).join('; ');
      this.report({ host, task: `${label}: ${t.task}`, status: bad.length ? 'failed' : 'ok', changes: [], msg, probes: t.results });
    }
    if (h.error) this.report({ host, task: label, status: h.unreachable ? 'unreachable' : 'failed', changes: [], msg: h.error });
    return h;
  }

  /** Restores the host, re-runs its handlers, probes it again; one line for the halt report. */
  private async rollBackHost(host: string): Promise<string> {
    const snap = this.snapshots.get(host)!;
    let line: string;
    try {
      const r = await rollBack(this.sessions.existing(host), snap);
      const what = `${r.restored} restored, ${r.removed} removed${r.handlers.length ? `, then ${r.handlers.join(', ')}` : ''}`;
      this.report({ host, task: 'rollback', status: r.ok ? 'changed' : 'failed', changes: [], msg: r.ok ? what : `${what}: ${r.error}` });
      line = r.ok ? `${host} (${what})` : `${host} FAILED (${r.error})`;
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.report({ host, task: 'rollback', status: isUnreachable(err) ? 'unreachable' : 'failed', changes: [], msg });
      return `${host} FAILED (${msg})`;
    }
    const again = await this.probe(host, 'health after rollback');
    return `${line}, healthy after rollback: ${again.ok ? 'yes' : `no (${failureSummary(again)})`}`;
  }
}
