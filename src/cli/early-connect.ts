// A run's first hosts start connecting while the run still loads: as soon as a play's hosts and
// their connection settings are known, up to --forks hosts in the order the preflight reads them
// open their connections, so that the handshakes (the switches' work, mostly) overlap the loading
// and preparing of the rest. SSH hosts are dialled even before the SSH client loads. Their login
// waits for the run's gate (every task prepared); a run that ends at bad input closes them before
// authentication.
import { ValidationError } from '../errors.js';
import type { PlayInput } from '../exec/run.js';
import { HostSessions, type TransportFactory } from '../exec/session.js';
import { LoginGate } from '../exec/login-gate.js';
import { connectionOf, connectionProblems, connectionVars, transportFactory } from './transports.js';
import { DialledSockets } from '../transport/dial-ahead.js';
import { resolveSshOptions } from '../transport/ssh-options.js';

export class EarlyConnections {
  readonly sessions: HostSessions;
  private make?: TransportFactory;
  private readonly started = new Set<string>();
  private readonly dialled = new DialledSockets();
  /** Set when a play's connection settings are wrong: the run will stop at them, so nothing more starts. */
  private halted = false;

  constructor(
    private readonly forks: number,
    private readonly opts: Parameters<typeof transportFactory>[1],
  ) {
    this.sessions = new HostSessions((host, vars, gate) => this.make!(host, vars, gate), new LoginGate());
  }

  /** A play's hosts are known: start the next of the first `forks` hosts of the run. */
  readonly playHosts = async (hosts: PlayInput['hosts']): Promise<void> => {
    const next = hosts.filter((h) => !this.started.has(h.name)).slice(0, Math.max(0, this.forks - this.started.size));
    if (this.halted || !next.length) return;
    // Node issues a dial's connect on its next turn of the event loop, after the promise jobs
    // queued now: one turn here, so that the dials leave before the SSH client loads.
    if (this.dial(next)) await new Promise((resolve) => setImmediate(resolve));
    try {
      this.make = await transportFactory(next, { ...this.opts, dialled: this.dialled });
    } catch (e) {
      this.dialled.drop();
      // Reported with every host's when the run makes its own factory, before it contacts any.
      if (!(e instanceof ValidationError)) throw e;
      this.halted = true;
      return;
    }
    for (const h of next) {
      this.started.add(h.name);
      this.sessions.warm(h.name, h.vars);
    }
    // One turn of the event loop: the connections' first packets leave before loading goes on.
    await new Promise((resolve) => setImmediate(resolve));
  };

  /** Opens the TCP connections of the SSH hosts among `hosts` whose settings are good, direct ones
   *  only: a host behind a jump host is reached through the jump host's login. Whether any was
   *  dialled. */
  private dial(hosts: PlayInput['hosts']): boolean {
    if (connectionProblems(hosts).length) return false;
    let dialled = false;
    for (const h of hosts) {
      const vars = connectionVars(h.vars);
      if (connectionOf(vars) !== 'ssh') continue;
      let o: ReturnType<typeof resolveSshOptions>;
      try {
        o = resolveSshOptions(h.name, vars);
      } catch (e) {
        // The transport meets the same problem and reports it with the host's name.
        if (e instanceof ValidationError) continue;
        throw e;
      }
      if (o.jump) continue;
      this.dialled.dial(h.name, o.host, o.port);
      dialled = true;
    }
    return dialled;
  }

  /** Closes the TCP connections no handshake took: the run ended before it used them. */
  dropDialled(): void {
    this.dialled.drop();
  }

  /** The run's own factory, checked against every host: the sessions make every later transport with it. */
  adopt(factory: TransportFactory): void {
    this.make = factory;
  }
}
