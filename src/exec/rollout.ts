// Health-gated rollout. For a play with a `health:` list, each batch is applied, then the hosts it
// changed are probed (a check that could not run fails unless its task lets it pass); if
// any host of the batch failed (a task or a health check), every host of the batch that changed
// is rolled back (previous files, handlers re-run), probed again, and the play halts with a
// report naming what failed, what was restored and which hosts were never touched. The gate
// decides; keeping, probing and rolling back are host work (HostWork), done by this process or
// by the workers of a queue.
import { randomBytes } from 'node:crypto';
import type { Play } from '../playbook/types.js';
import type { HostWork } from './host-work.js';
import { failureSummary, type HostHealth } from './probe-host.js';
import type { Snapshot } from './rollback.js';
import type { TaskResult } from './results.js';

type Report = (r: TaskResult) => void;

export class RolloutGate {
  /** The run's name for what the gate keeps on its hosts. */
  readonly token = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  private readonly snapshots = new Map<string, Snapshot>();

  /** `out`: hosts that failed or were lost in this run. */
  private constructor(
    private readonly index: number,
    private readonly work: HostWork,
    private readonly out: ReadonlyMap<string, unknown>,
    private readonly report: Report,
  ) {}

  /** A gate for plays with a health list; undefined otherwise. */
  static for(play: Play, index: number, work: HostWork, out: ReadonlyMap<string, unknown>, report: Report): RolloutGate | undefined {
    return play.health?.length ? new RolloutGate(index, work, out, report) : undefined;
  }

  /** Keeps the files the host's plan replaces, for a step-by-step apply. False (reported) when that
   *  fails: the host is not applied. */
  async before(host: string): Promise<boolean> {
    const k = await this.work.keep(this.index, host, this.token);
    if ('lost' in k) {
      this.report(k.lost);
      return false;
    }
    if (k.kept) this.snapshots.set(host, k.kept);
    return true;
  }

  /** Notes what an apply kept before it ran (HostWork.apply with the gate's token). */
  keeps(host: string, kept: Snapshot): void {
    this.snapshots.set(host, kept);
  }

  /** Probes the batch; on any failure rolls it back. Returns the halt reason, or undefined to go on. */
  async after(batch: string[], later: string[]): Promise<string | undefined> {
    const failedTasks = batch.filter((h) => this.out.has(h));
    // The gate judges what the batch changed: hosts it left alone are not probed (and not called
    // healthy), so a run that changes nothing reads each host once.
    const probed = await Promise.all(batch.filter((h) => !this.out.has(h) && this.snapshots.has(h)).map((h) => this.probe(h, 'health')));
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
    const h = await this.work.probe(this.index, host);
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
    const r = await this.work.rollback(this.index, host, this.snapshots.get(host)!);
    if ('lost' in r) {
      this.report(r.lost);
      return `${host} FAILED (${r.lost.msg})`;
    }
    const what = `${r.restored} restored, ${r.removed} removed${r.handlers.length ? `, then ${r.handlers.join(', ')}` : ''}`;
    this.report({ host, task: 'rollback', status: r.ok ? 'changed' : 'failed', changes: [], msg: r.ok ? what : `${what}: ${r.error}` });
    const line = r.ok ? `${host} (${what})` : `${host} FAILED (${r.error})`;
    const again = await this.probe(host, 'health after rollback');
    return `${line}, healthy after rollback: ${again.ok ? 'yes' : `no (${failureSummary(again)})`}`;
  }
}
