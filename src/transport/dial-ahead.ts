// TCP connections opened before the SSH client has loaded: a run's first hosts are dialled as soon
// as their addresses are known, and each handshake takes its host's socket over once ssh2 has
// loaded, so the switch's accept and sshd's start overlap that loading. A socket that failed or
// was never taken is dropped: the handshake then dials as it would have, and reports any failure.
import net from 'node:net';
import { recordPhase } from '../timings.js';

interface Dialled {
  host: string;
  port: number;
  socket: net.Socket;
}

export class DialledSockets {
  /** By inventory host name: several inventory hosts may share one address. */
  private readonly byHost = new Map<string, Dialled>();

  dial(hostName: string, host: string, port: number): void {
    if (this.byHost.has(hostName)) return;
    recordPhase('connect', performance.now());
    const socket = net.connect({ host, port });
    // An error before ssh2 listens must not end the process: the socket is destroyed, and the
    // handshake dials again (or, if it took the socket, sees it closed) and reports the failure.
    socket.on('error', () => {});
    this.byHost.set(hostName, { host, port, socket });
  }

  /** The socket dialled for this host and address, once, if it is still open. */
  take(hostName: string, host: string, port: number): net.Socket | undefined {
    const d = this.byHost.get(hostName);
    if (!d) return undefined;
    this.byHost.delete(hostName);
    if (d.host !== host || d.port !== port || d.socket.destroyed) {
      d.socket.destroy();
      return undefined;
    }
    return d.socket;
  }

  /** Closes the sockets no handshake took. */
  drop(): void {
    for (const d of this.byHost.values()) d.socket.destroy();
    this.byHost.clear();
  }
}
