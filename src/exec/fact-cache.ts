// One gather per host serves every play of the run until something is applied to that host:
// the first gather asks for what all plays need. An apply brings the host's next facts back in
// its own exec (guarded-script.ts), and they replace the cached ones.
import type { FactQuery, Facts } from '../facts/types.js';
import { readGather, type Gathered } from '../facts/gather.js';
import { uniqueQueries } from '../facts/gather-script.js';
import type { ExecResult } from '../transport/types.js';
import type { Vars } from '../playbook/types.js';
import type { HostSessions } from './session.js';
import { timePhase } from '../timings.js';

export class FactCache {
  /** Per host, what its plays asked; made unique when first read, not at each play's asking. */
  private readonly asked = new Map<string, FactQuery[]>();
  private readonly wanted = new Map<string, FactQuery[]>();
  private readonly known = new Map<string, Gathered>();

  constructor(private readonly sessions: HostSessions) {}

  /** Adds what a play asks of the host; asking again for the same adds nothing. */
  want(host: string, queries: FactQuery[]): void {
    const asked = this.asked.get(host) ?? this.wanted.get(host) ?? [];
    this.asked.set(host, [...asked, ...queries]);
    this.wanted.delete(host);
  }

  /** Every query any play asks of the host: each gather of it reads all of them. The same list
   *  until a play asks for more, so the gather script and the reading of its output share it. */
  queries(host: string): FactQuery[] {
    let wanted = this.wanted.get(host);
    if (!wanted) {
      wanted = uniqueQueries(this.asked.get(host) ?? []);
      this.wanted.set(host, wanted);
      this.asked.delete(host);
    }
    return wanted;
  }

  async get(host: string, vars: Vars): Promise<Facts> {
    return (await this.gathered(host, vars)).facts;
  }

  async gathered(host: string, vars: Vars): Promise<Gathered> {
    let g = this.known.get(host);
    if (!g) this.known.set(host, (g = await timePhase('gather', () => this.sessions.gathered(host, vars, this.queries(host)))));
    return g;
  }

  /** The facts as the host's last gather read them, if they are still current. */
  current(host: string): Gathered | undefined {
    return this.known.get(host);
  }

  /** Facts an apply's exec gathered after it ran (the output of this host's gather script). */
  record(host: string, res: ExecResult): Gathered {
    this.known.delete(host);
    const g = readGather(this.queries(host), res);
    this.known.set(host, g);
    return g;
  }

  /** Something ran on the host: the next read gathers again. */
  invalidate(host: string): void {
    this.known.delete(host);
  }
}
