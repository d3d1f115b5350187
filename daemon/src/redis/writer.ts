// Writes port state to STATE_DB. One write in flight at a time: whatever
// accumulates meanwhile is coalesced per port (last state wins) and goes out
// in the next write. The pending set is bounded by the number of ports.
// A failed write puts its entries back (unless newer ones arrived) and forces
// a full reconcile once Redis is back, so a Redis restart loses nothing.
// Each batch is one command (HSET, DEL or one script call), sent in the tick
// its changes were read; right after each acknowledgement the refill hook
// reads what arrived meanwhile, so a storm costs one wake-up per round trip.
// With minWriteIntervalMs > 0, writes are paced by a WriteBudget: a short
// burst goes out at once, after that a write waits for its turn (netlink
// still paused, so the kernel queues and the next batch is larger): fewer
// writes per event under load, at the price of up to an interval of latency
// then. An isolated change is always sent at once.
import type { Redis } from 'ioredis';
import type { PortState } from '../core/port.js';
import { planPortWrite, planReconcile, STATE_PORT_PREFIX, WRITE_PORTS_LUA, type ScriptWrite, type WriteOp } from '../core/plan.js';
import type { Changes } from '../core/tracker.js';
import { backoffMs } from './connect.js';
import { WriteBudget } from './write-budget.js';

export interface Pending {
  state: PortState | null;
  receivedAt: number; // performance.now() when the read that carried this state returned
}

type WithScript = Redis & { portsyncdWritePorts(...args: Array<string | number>): Promise<unknown> };

export interface WriterHooks {
  /** Runs before each full reconcile (e.g. re-reading which ports are configured). */
  beforeFullSync(): Promise<void>;
  /** What STATE_DB must hold after a full reconcile. */
  model(): ReadonlyMap<string, PortState>;
  /** False while a dump is incomplete: deleting keys then would be premature. */
  modelComplete(): boolean;
  /** Runs once, before the first write on a connection that became ready. */
  bootstrap(): Promise<void>;
  /** A batch was acknowledged at ackedAt (performance.now()). */
  onWritten(ops: number, batch: ReadonlyMap<string, Pending>, ackedAt: number): void;
  /** Right after an acknowledgement: read what arrived while the write was in flight. */
  refill(): void;
  /** A write is about to go out (true; it waits for a returned promise) or the writer went idle (false). */
  writing(active: boolean): Promise<void> | undefined;
  /** STATE_DB was reconciled to `model`. */
  onFullSync(deleted: number, written: number, model: ReadonlyMap<string, PortState>): void;
  onError(e: Error): void;
}

export class PortWriter {
  private pending = new Map<string, Pending>();
  private needFullSync = true;
  private bootstrapped = false;
  private busy = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  /** Paces writes; the native lane spends from it too. */
  readonly budget: WriteBudget;
  private readonly redis: WithScript;

  constructor(
    redis: Redis,
    private readonly hooks: WriterHooks,
    minWriteIntervalMs = 0,
  ) {
    this.budget = new WriteBudget(minWriteIntervalMs);
    redis.defineCommand('portsyncdWritePorts', { lua: WRITE_PORTS_LUA });
    this.redis = redis as WithScript;
    redis.on('ready', () => {
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.needFullSync = true;
      this.kick();
    });
  }

  get connected(): boolean {
    return this.redis.status === 'ready';
  }

  isPending(name: string): boolean {
    return this.pending.has(name);
  }

  /** A write is in flight or about to go out. */
  get active(): boolean {
    return this.busy;
  }

  get pendingPorts(): number {
    return this.pending.size;
  }

  get synced(): boolean {
    return !this.needFullSync && this.pending.size === 0 && !this.busy && !this.retryTimer && this.bootstrapped;
  }

  /** A write made elsewhere (the native lane) at `at` spends from the same budget. */
  spentElsewhere(at: number): void {
    this.budget.spend(at);
  }

  enqueue(changes: Changes, receivedAt: number): void {
    for (const [name, state] of changes) this.pending.set(name, { state, receivedAt });
    this.kick();
  }

  requestFullSync(): void {
    this.needFullSync = true;
    this.kick();
  }

  kick(): void {
    if (!this.busy && !this.retryTimer) void this.pump();
  }

  /** Resolves when nothing is pending or in flight, or after timeoutMs. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  private isIdle(): boolean {
    return !this.busy && !this.retryTimer && this.pending.size === 0 && (!this.needFullSync || !this.hooks.modelComplete());
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      const ready = this.hooks.writing(true);
      if (ready) await ready;
      while (this.connected) {
        if (!this.bootstrapped) {
          await this.hooks.bootstrap();
          this.bootstrapped = true;
        }
        if (this.needFullSync && this.hooks.modelComplete()) await this.fullSync();
        else if (this.pending.size > 0) {
          await this.holdOff();
          await this.writeBatch();
        } else break;
        this.failures = 0;
        this.hooks.refill();
      }
    } catch (e) {
      this.failures++;
      this.needFullSync = true;
      this.hooks.onError(e as Error);
      if (this.connected) {
        // Connected but failing (e.g. a script error or OOM): back off and retry.
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.kick();
        }, backoffMs(this.failures));
      }
    } finally {
      this.busy = false;
      this.hooks.writing(false);
    }
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async holdOff(): Promise<void> {
    const wait = this.budget.delay(performance.now());
    if (wait <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, wait));
    this.hooks.refill(); // what queued during the wait joins this batch
  }

  private async writeBatch(): Promise<void> {
    this.budget.spend(performance.now());
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.send(planPortWrite(batch));
    } catch (e) {
      this.restore(batch);
      throw e;
    }
    this.hooks.onWritten(1, batch, performance.now());
  }

  private async fullSync(): Promise<void> {
    this.needFullSync = false;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.hooks.beforeFullSync();
      const existing = await this.scanPortKeys();
      const model = this.hooks.model();
      const ops = planReconcile(model, existing);
      await this.exec(ops);
      const deleted = ops.filter((o) => o.cmd === 'del').length;
      this.hooks.onFullSync(deleted, ops.length - deleted, model);
      this.hooks.onWritten(ops.length, batch, performance.now());
    } catch (e) {
      this.restore(batch);
      throw e;
    }
  }

  /** Puts a failed batch back, except where a newer state has arrived since. */
  private restore(batch: Map<string, Pending>): void {
    for (const [name, p] of batch) if (!this.pending.has(name)) this.pending.set(name, p);
  }

  private async scanPortKeys(): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${STATE_PORT_PREFIX}*`, 'COUNT', 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    return keys;
  }

  private async send(w: WriteOp | ScriptWrite): Promise<void> {
    if (w.cmd === 'hset') await this.redis.hset(w.key, w.fields);
    else if (w.cmd === 'del') await this.redis.del(w.key);
    else await this.redis.portsyncdWritePorts(w.keys.length, ...w.keys, ...w.argv);
  }

  private async exec(ops: WriteOp[]): Promise<void> {
    if (ops.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const op of ops) {
      if (op.cmd === 'hset') pipe.hset(op.key, op.fields);
      else pipe.del(op.key);
    }
    const results = await pipe.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('redis pipeline returned no results');
  }
}
