// The coordinator's side of the queue: each call of the run on a host becomes one job on the
// queue of the host's group, and its answer is the call's outcome. The run's decisions
// (batches, thresholds, the recap) stay in src/exec/run.ts, as for a local run.
import type {
  ApplyOutcome,
  Convergence,
  HostStats,
  HostWork,
  KeepOutcome,
  LockStep,
  Lost,
  PreflightOutcome,
  ReplanOutcome,
  RollbackResult,
  StepOutcome,
} from '../exec/host-work.js';
import { planFailed } from '../exec/local-work.js';
import type { HostHealth } from '../exec/probe-host.js';
import type { Snapshot } from '../exec/rollback.js';
import { describeQueue, queueName, type QueueConnection } from './connection.js';
import { GroupQueue } from './group-queue.js';
import type { JobData, RunSpec } from './spec.js';
import type { Outcome } from './answer.js';
import type { RunEvent } from '../report/events.js';

/** What a job sends besides its kind, host and play. */
type JobArgs = Omit<JobData, 'run' | 'host' | 'play'>;

export class QueueWork implements HostWork {
  private readonly queues = new Map<string, GroupQueue>();
  private readonly totals = new Map<string, HostStats>();

  constructor(
    private readonly spec: RunSpec,
    private readonly conn: QueueConnection,
    private readonly groupOf: (host: string) => string,
    private readonly timeoutMs: number,
    /** The run's events of work in progress, and the coordinator's -vvv log for the workers' lines. */
    private readonly live: (e: RunEvent) => void,
    private readonly trace: (line: string) => void,
  ) {}

  preflight(host: string): Promise<PreflightOutcome> {
    return this.job(host, -1, { kind: 'preflight', before: [] }) as Promise<PreflightOutcome>;
  }

  replan(play: number, host: string, before: string[]): Promise<ReplanOutcome> {
    return this.job(host, play, { kind: 'replan', before }) as Promise<ReplanOutcome>;
  }

  apply(play: number, host: string, before: string[], keep?: string): Promise<ApplyOutcome> {
    return this.job(host, play, { kind: 'apply', before, ...(keep !== undefined ? { token: keep } : {}) }) as Promise<ApplyOutcome>;
  }

  // The operations below answer with a result where the host's plan found problems (it moved
  // under the run: the coordinator prepared the same playbook without any).

  async keep(play: number, host: string, token: string): Promise<KeepOutcome> {
    return asLost(host, await this.job(host, play, { kind: 'keep', before: [], token })) as KeepOutcome;
  }

  async probe(play: number, host: string): Promise<HostHealth> {
    const o = asLost(host, await this.job(host, play, { kind: 'probe', before: [] }));
    if (!('lost' in o)) return o as HostHealth;
    return { host, ok: false, tasks: [], error: o.lost.msg ?? 'failed', ...(o.lost.status === 'unreachable' ? { unreachable: true } : {}) };
  }

  async rollback(play: number, host: string, kept: Snapshot): Promise<RollbackResult> {
    return asLost(host, await this.job(host, play, { kind: 'rollback', before: [], kept })) as RollbackResult;
  }

  async step(play: number, host: string, step: LockStep): Promise<StepOutcome> {
    const o = asLost(host, await this.job(host, play, { kind: 'step', before: [], step }));
    if (!('lost' in o)) return o as StepOutcome;
    return { results: [o.lost], applied: false, unreachable: o.lost.status === 'unreachable', notified: [] };
  }

  async converged(play: number, host: string): Promise<Convergence> {
    return asLost(host, await this.job(host, play, { kind: 'converged', before: [] })) as Convergence;
  }

  stats(host: string): HostStats {
    return this.totals.get(host) ?? { roundTrips: 0, bytesUploaded: 0 };
  }

  private queue(group: string): GroupQueue {
    let q = this.queues.get(group);
    if (!q) this.queues.set(group, (q = new GroupQueue(group, queueName(group), this.conn, this.timeoutMs)));
    return q;
  }

  private async job(host: string, play: number, args: JobArgs): Promise<Outcome> {
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
      answer = await q.run({ run: this.spec, host, play, ...args }, (m) => ('live' in m ? this.live(m.live) : this.trace(m.trace)));
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

/** A worker's problems answer as a failed result (a HostHealth carries problems of its own). */
function asLost(host: string, o: Outcome): Outcome {
  return 'problems' in o && !('tasks' in o) && o.problems ? { lost: planFailed(host, { problems: o.problems }) } : o;
}
