// The native write lane (native/lane.c) seen from JavaScript. While started,
// the addon's thread reads the netlink socket, writes the ports it knows
// straight to STATE_DB and hands back every batch it read, with what it
// wrote; it stops by itself at anything else. Its table is STATE_DB's port
// state as the daemon last wrote it; changes to it reach the thread when the
// lane next starts.
import type { PortState } from '../core/port.js';
import type { RedisTarget } from '../redis/connect.js';
import { ENOBUFS } from './constants.js';
import type { NativeNetlink } from './native.js';
import type { ReadBatch } from './socket.js';

export interface LaneBatch extends ReadBatch {
  /** performance.now() when Redis acknowledged the lane's write (0: nothing written). */
  ackedAt: number;
  /** What the lane wrote to STATE_DB, per port. */
  written: PortState[];
  /** errno of the read when it failed otherwise than by overflow (0: none). */
  errno: number;
}

const SLOTS = 4;
const SLOT_BYTES = 64 * 1024;
const MAX_WRITES = 64;

/** A Redis command in RESP, as the lane sends it on a new connection. */
function resp(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
}

export class NativeLane {
  private readonly handle: unknown;
  private readonly slots = Array.from({ length: SLOTS }, () => Buffer.alloc(SLOT_BYTES));
  /** STATE_DB's ports as last written, by name; `table` is the order the thread indexes them in. */
  private readonly stored = new Map<string, PortState>();
  private table: PortState[] = [];
  private tableStale = true;
  private delivering = false;
  private stopRequested = true;
  private readonly out = new Float64Array(6);
  private readonly writtenOut = new Int32Array(1 + 3 * MAX_WRITES);
  private stopWaiters: Array<() => void> = [];
  private closed = false;
  /** performance.now() minus the lane's clock (process.hrtime's, in ms). */
  private readonly offset = performance.now() - Number(process.hrtime.bigint()) / 1e6;

  constructor(
    private readonly native: NativeNetlink,
    fd: number,
    portId: number,
    target: RedisTarget,
    db: number,
    private readonly hooks: { onBatch(b: LaneBatch): void; onStopped(): void },
  ) {
    const hello = [
      ...(target.password ? [resp('AUTH', target.password)] : []),
      resp('SELECT', String(db)),
      resp('CLIENT', 'SETNAME', 'portsyncd-lane'),
    ];
    this.handle = native.laneOpen(
      fd,
      portId,
      this.slots,
      Buffer.from(hello.join('')),
      hello.length,
      Boolean(target.password),
      target.path ?? '',
      target.path ? '' : target.host,
      target.port,
      target.connectTimeoutMs,
      () => this.onReady(),
    );
  }

  /** Started, or reading or writing. */
  get running(): boolean {
    return !this.closed && this.native.laneState(this.handle) !== 0;
  }

  /** Lets the thread write within the write budget: `tokens` now, at most `burst`, one more per interval. */
  start(tokens: number, burst: number, intervalMs: number): void {
    if (this.closed) return;
    if (this.tableStale) this.pushTable();
    this.stopRequested = false;
    this.native.laneStart(this.handle, tokens, burst, intervalMs);
  }

  /** A port's state as the daemon wrote it to STATE_DB (null: deleted). */
  record(name: string, state: PortState | null): void {
    if (state) this.stored.set(name, state);
    else this.stored.delete(name);
    this.tableStale = true;
  }

  /** STATE_DB after a full reconcile. */
  reset(model: ReadonlyMap<string, PortState>): void {
    this.stored.clear();
    for (const [name, p] of model) this.stored.set(name, p);
    this.tableStale = true;
  }

  /** Stops the thread; resolves once its last write is acknowledged and every batch it read was handed over. */
  stop(): Promise<void> | undefined {
    if (this.closed) return undefined;
    this.stopRequested = true;
    if (this.native.laneStop(this.handle)) {
      this.onReady();
      return undefined;
    }
    return new Promise((resolve) => this.stopWaiters.push(resolve));
  }

  private pushTable(): void {
    this.tableStale = false;
    this.table = [...this.stored.values()];
    const n = this.table.length;
    const ifindexes = new Int32Array(n);
    const state = new Int32Array(2 * n);
    this.table.forEach((p, i) => {
      ifindexes[i] = p.ifindex;
      state[2 * i] = (p.admin ? 1 : 0) | (p.oper ? 2 : 0);
      state[2 * i + 1] = p.mtu;
    });
    this.native.laneSetPorts(
      this.handle,
      ifindexes,
      this.table.map((p) => p.name),
      state,
    );
  }

  close(): void {
    if (this.closed) return;
    this.native.laneClose(this.handle);
    this.closed = true;
    for (const w of this.stopWaiters.splice(0)) w();
  }

  private onReady(): void {
    if (this.closed || this.delivering) return; // the outer call hands over the rest, in order
    this.delivering = true;
    try {
      this.deliver();
    } finally {
      this.delivering = false;
    }
    const state = this.native.laneState(this.handle);
    if (state !== 2) for (const w of this.stopWaiters.splice(0)) w();
    if (state === 0 && !this.stopRequested) {
      this.stopRequested = true; // once per stop
      this.hooks.onStopped();
    }
  }

  private deliver(): void {
    for (let slot = this.take(); slot >= 0; slot = this.take()) {
      const [bytes, datagrams, receivedMs, ackedMs, err, truncated] = this.out;
      const written: PortState[] = [];
      for (let k = 0; k < this.writtenOut[0]!; k++) {
        const [i, flags, mtu] = this.writtenOut.subarray(1 + 3 * k, 4 + 3 * k);
        const was = this.table[i!]!;
        const now = { name: was.name, ifindex: was.ifindex, admin: (flags! & 1) !== 0, oper: (flags! & 2) !== 0, mtu: mtu! };
        this.table[i!] = now;
        this.stored.set(now.name, now);
        written.push(now);
      }
      try {
        this.hooks.onBatch({
          buf: this.slots[slot]!,
          bytes: bytes!,
          datagrams: datagrams!,
          receivedAt: receivedMs! + this.offset,
          ackedAt: written.length > 0 ? ackedMs! + this.offset : 0,
          overflow: err === ENOBUFS,
          truncated: truncated !== 0,
          written,
          errno: err === ENOBUFS ? 0 : err!,
        });
      } finally {
        this.native.laneRelease(this.handle, slot);
      }
    }
  }

  private take(): number {
    return this.native.laneTake(this.handle, this.out, this.writtenOut);
  }
}
