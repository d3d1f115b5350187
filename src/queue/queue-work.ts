// The coordinator's side of the queue: each call of the run on a host becomes one job on the
// queue of the host's group, and its answer is the call's outcome. The run's decisions
// (batches, thresholds, the recap) stay in src/exec/run.ts, as for a local run.
import type { ApplyOutcome, HostStats, HostWork, Lost, PreflightOutcome, ReplanOutcome } from '../exec/host-work.js';
import { describeQueue, queueName, type QueueConnection } from './connection.js';
import { GroupQueue } from './group-queue.js';
import type { JobKind, RunSpec } from './spec.js';
import type { Outcome } from './answer.js';

export class QueueWork implements HostWork {
  private readonly queues = new Map<string, GroupQueue>();
  private readonly totals = new Map<string, HostStats>();

  constructor(
    private readonly spec: RunSpec,
    private readonly conn: QueueConnection,
    private readonly groupOf: (host: string) => string,
    private readonly timeoutMs: number,
  ) {}

  preflight(host: string): Promise<PreflightOutcome> {
    return this.job('preflight', host, -1, []) as Promise<PreflightOutcome>;
  }

  replan(play: number, host: string, before: string[]): Promise<ReplanOutcome> {
    return this.job('replan', host, play, before) as Promise<ReplanOutcome>;
  }

  apply(play: number, host: string, before: string[]): Promise<ApplyOutcome> {
    return this.job('apply', host, play, before) as Promise<ApplyOutcome>;
  }

  stats(host: string): HostStats {
    return this.totals.get(host) ?? { roundTrips: 0, bytesUploaded: 0 };
  }

  private queue(group: string): GroupQueue {
    let q = this.queues.get(group);
    if (!q) this.queues.set(group, (q = new GroupQueue(group, queueName(group), this.conn, this.timeoutMs)));
    return q;
  }

  private async job(kind: JobKind, host: string, play: number, before: string[]): Promise<Outcome> {
    const group = this.groupOf(host);
    const q = this.queue(group);
    const lost = (status: 'failed' | 'unreachable', msg: string): Lost => ({ lost: { host, task: 'queue', status, changes: [], msg } });
    if (!(await q.hasWorkers()))
      return lost(
        'unreachable',
        `no worker serves group "${group}" on ${describeQueue(this.conn)} (waited ${this.timeoutMs / 1000} s); start one: portsync-deploy worker --queue … --group ${group}`,
      );
    let answer;
    try {
      answer = await q.run({ run: this.spec, kind, host, play, before });
    } catch (err) {
      return lost(
        'unreachable',
        `cannot reach the queue on ${describeQueue(this.conn)}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if ('failure' in answer) return lost(answer.failure, answer.msg);
    const t = this.stats(host);
    this.totals.set(host, {
      roundTrips: t.roundTrips + answer.stats.roundTrips,
      bytesUploaded: t.bytesUploaded + answer.stats.bytesUploaded,
    });
    return answer.outcome;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
