// One gather per host serves every play of the run until something is applied to that host:
// the first gather asks for what all plays need.
import type { FactQuery, Facts } from '../facts/types.js';
import type { Vars } from '../playbook/types.js';
import type { HostSessions } from './session.js';
import { timePhase } from '../timings.js';

export class FactCache {
  private readonly wanted = new Map<string, FactQuery[]>();
  private readonly known = new Map<string, Facts>();

  constructor(private readonly sessions: HostSessions) {}

  want(host: string, queries: FactQuery[]): void {
    this.wanted.set(host, [...(this.wanted.get(host) ?? []), ...queries]);
  }

  async get(host: string, vars: Vars): Promise<Facts> {
    let f = this.known.get(host);
    if (!f) this.known.set(host, (f = await timePhase('gather', () => this.sessions.gather(host, vars, this.wanted.get(host) ?? []))));
    return f;
  }

  /** Something ran on the host: the next read gathers again. */
  invalidate(host: string): void {
    this.known.delete(host);
  }
}
