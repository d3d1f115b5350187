// One group's queue as the coordinator sees it: jobs go in, answers come back through the
// queue's event stream, and a watchdog reads the state of every job still out, so that an
// answer missed (a Redis restart), a job lost with Redis's data, a queue nobody serves or a
// Redis that stays away ends that host's job with a clear failure instead of a wait.
import { Job, Queue, QueueEvents } from 'bullmq';
import type { JobAnswer } from './answer.js';
import type { JobData } from './spec.js';
import { isLiveMessage, type LiveMessage } from './live.js';
import { KEY_PREFIX, redisOptions, type QueueConnection } from './connection.js';

/** How a job ended when it gave no answer: `unreachable` when no worker ever took it. */
export interface JobFailure {
  failure: 'failed' | 'unreachable';
  msg: string;
}

interface Pending {
  resolve(a: JobAnswer | JobFailure): void;
  /** What the worker sends while the job runs. */
  onLive: (m: LiveMessage) => void;
  since: number;
  taken: boolean;
}

const WATCH_MS = 2000;

export class GroupQueue {
  private readonly queue: Queue<JobData, JobAnswer>;
  private readonly events: QueueEvents;
  private readonly pending = new Map<string, Pending>();
  private readonly watchdog: NodeJS.Timeout;
  private ready?: Promise<void>;
  private served?: Promise<boolean>;
  /** Since when Redis has not answered the watchdog (undefined: it answers). */
  private silentSince?: number;
  private idleSince?: number;
  private seq = 0;

  constructor(
    readonly group: string,
    name: string,
    conn: QueueConnection,
    private readonly timeoutMs: number,
  ) {
    const connection = redisOptions(conn);
    this.queue = new Queue(name, { connection, prefix: KEY_PREFIX });
    this.events = new QueueEvents(name, { connection, prefix: KEY_PREFIX });
    this.events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, parseAnswer(returnvalue)));
    this.events.on('failed', ({ jobId, failedReason }) =>
      this.settle(jobId, { failure: 'failed', msg: `the worker failed: ${failedReason}` }),
    );
    this.events.on('progress', ({ jobId, data }) => {
      if (isLiveMessage(data)) this.pending.get(jobId)?.onLive(data);
    });
    this.events.on('active', ({ jobId }) => {
      const p = this.pending.get(jobId);
      if (p) p.taken = true;
    });
    // Connection errors come back as reconnects; the watchdog reports what lasts.
    this.queue.on('error', () => {});
    this.events.on('error', () => {});
    this.watchdog = setInterval(() => void this.watch(), WATCH_MS);
  }

  /** Whether a worker serves the group, waiting for one up to the timeout (asked once per run). */
  hasWorkers(): Promise<boolean> {
    return (this.served ??= this.waitForWorkers());
  }

  private async waitForWorkers(): Promise<boolean> {
    const until = Date.now() + this.timeoutMs;
    for (;;) {
      const n = await withTimeout(this.queue.getWorkersCount(), until - Date.now()).catch(() => 0);
      if (n > 0) return true;
      if (Date.now() >= until) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Runs one job and waits for its answer; `onLive` hears what the worker sends while it runs. */
  async run(data: JobData, onLive: (m: LiveMessage) => void): Promise<JobAnswer | JobFailure> {
    this.ready ??= withTimeout(
      this.events.waitUntilReady().then(() => undefined),
      this.timeoutMs,
    );
    await this.ready;
    const jobId = `${data.run.id}.${++this.seq}`;
    const answer = new Promise<JobAnswer | JobFailure>((resolve) =>
      this.pending.set(jobId, { resolve, onLive, since: Date.now(), taken: false }),
    );
    // While Redis is away the add waits; the watchdog ends the job's wait if that lasts.
    this.queue
      .add(data.kind, data, {
        jobId,
        attempts: 1,
        // Answers stay an hour, for a coordinator that missed the event; secrets are masked in them.
        removeOnComplete: { age: 3600 },
        removeOnFail: { age: 3600 },
      })
      .catch((err: unknown) => this.settle(jobId, { failure: 'unreachable', msg: `cannot queue the job: ${String(err)}` }));
    return answer;
  }

  private settle(jobId: string, a: JobAnswer | JobFailure): void {
    const p = this.pending.get(jobId);
    if (!p) return;
    this.pending.delete(jobId);
    p.resolve(a);
  }

  private watching = false;

  private async watch(): Promise<void> {
    const now = Date.now();
    const old = [...this.pending].filter(([, p]) => now - p.since >= WATCH_MS);
    if (!old.length || this.watching) return;
    this.watching = true;
    // Commands wait for Redis to come back; a watch that waits too long counts as no answer.
    const ask = <T>(p: Promise<T>) => withTimeout(p, WATCH_MS);
    try {
      const workers = await ask(this.queue.getWorkersCount());
      this.idleSince = workers > 0 ? undefined : (this.idleSince ?? now);
      for (const [id, p] of old) {
        const state = await ask(this.queue.getJobState(id));
        if (state === 'completed' || state === 'failed') {
          const job = await ask(Job.fromId<JobData, JobAnswer>(this.queue, id));
          if (!job) continue;
          this.settle(
            id,
            state === 'completed' ? parseAnswer(job.returnvalue) : { failure: 'failed', msg: `the worker failed: ${job.failedReason}` },
          );
        } else if (state === 'unknown') {
          this.settle(id, {
            failure: 'failed',
            msg: 'the job is gone from the queue (did Redis restart without its data?); the host may or may not have been changed',
          });
        } else if (state === 'active') {
          p.taken = true;
        } else if (this.idleSince !== undefined && now - this.idleSince >= this.timeoutMs) {
          this.settle(id, {
            failure: p.taken ? 'failed' : 'unreachable',
            msg: `no worker serves group "${this.group}" any more${p.taken ? '; a worker had taken the job, so the host may have been changed' : ''}`,
          });
        }
      }
      this.silentSince = undefined;
    } catch (err) {
      this.silentSince ??= now;
      if (now - this.silentSince < this.timeoutMs) return;
      const msg = `the queue did not answer for ${Math.round((now - this.silentSince) / 1000)} s (${err instanceof Error ? err.message : String(err)}); the host may or may not have been changed`;
      for (const [id] of this.pending) this.settle(id, { failure: 'failed', msg });
    } finally {
      this.watching = false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }
}

function parseAnswer(v: unknown): JobAnswer {
  return (typeof v === 'string' ? JSON.parse(v) : v) as JobAnswer;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer from Redis within ${Math.round(ms / 1000)} s`)), Math.max(ms, 0));
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e)),
    );
  });
}
