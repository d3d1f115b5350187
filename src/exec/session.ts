// One transport per host for the whole run: connected on first use, closed at the end.
import type { Transport } from '../transport/types.js';
import { UnreachableError } from '../errors.js';
import type { Vars } from '../playbook/types.js';
import type { Facts } from '../facts/types.js';
import type { FactQuery } from '../facts/types.js';
import { gather, type Gathered } from '../facts/gather.js';
import type { LoginGate } from './login-gate.js';

/** `loginGate`: what the transport waits for before it logs in to the host (none: log in at once). */
export type TransportFactory = (host: string, vars: Vars, loginGate?: Promise<void>) => Transport;

export class HostSessions {
  private readonly transports = new Map<string, Transport>();
  private readonly connected = new Map<string, Promise<void>>();
  /** Connections closed before the run's end, which closeAll still waits for. */
  private readonly closing: Promise<void>[] = [];
  /** Hosts out of the run: they failed or could not be reached in an earlier play. */
  readonly out = new Map<string, 'failed' | 'unreachable'>();

  /** `gate`: what the transports made here wait for before they log in, opened by `allowLogin`. */
  constructor(
    private readonly factory: TransportFactory,
    private readonly gate?: LoginGate,
  ) {}

  /** Every task is prepared: connections made ahead may log in now. */
  allowLogin(): void {
    this.gate?.open();
  }

  transport(host: string, vars: Vars): Transport {
    let t = this.transports.get(host);
    if (!t) this.transports.set(host, (t = this.factory(host, vars, this.gate?.opened)));
    return t;
  }

  /** The transport already made for a host (every host gets one while its tasks are prepared). */
  existing(host: string): Transport {
    const t = this.transports.get(host);
    if (!t) throw new Error(`no transport was made for host ${host}`);
    return t;
  }

  /** Round trips made to a host so far (0 when it was never contacted). */
  roundTrips(host: string): number {
    return this.transports.get(host)?.roundTrips ?? 0;
  }

  /** Bytes uploaded to a host so far. */
  bytesUploaded(host: string): number {
    return this.transports.get(host)?.bytesUploaded ?? 0;
  }

  /** Starts connecting ahead of first use, while the run still loads or prepares (with a gate, no
   *  further than the handshake until `allowLogin`); a failure surfaces when the host is used, and
   *  closeAll cuts a handshake still in flight. */
  warm(host: string, vars: Vars): void {
    if (this.connected.has(host)) return;
    const c = this.transport(host, vars).connect();
    c.catch(() => {});
    this.connected.set(host, c);
  }

  async connect(host: string, vars: Vars): Promise<Transport> {
    const t = this.transport(host, vars);
    let c = this.connected.get(host);
    if (!c) this.connected.set(host, (c = t.connect()));
    await c;
    return t;
  }

  async gather(host: string, vars: Vars, queries: FactQuery[]): Promise<Facts> {
    return (await this.gathered(host, vars, queries)).facts;
  }

  /** The facts with the gather's raw output, which a guarded apply compares. */
  async gathered(host: string, vars: Vars, queries: FactQuery[]): Promise<Gathered> {
    return gather(await this.connect(host, vars), queries);
  }

  /** The run will not reach this host again: its connection closes now, beside the other hosts'
   *  work, instead of at the run's end; a later connect() would connect afresh. */
  release(host: string): void {
    const t = this.transports.get(host);
    if (!t || !this.connected.delete(host)) return;
    this.closing.push(t.close().catch(() => {}));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.closing, ...[...this.transports.values()].map((t) => t.close().catch(() => {}))]);
  }
}

export function isUnreachable(err: unknown): err is UnreachableError {
  return err instanceof UnreachableError;
}
