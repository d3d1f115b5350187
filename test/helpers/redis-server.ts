// A redis-server of the test's own: state and a unix socket in the test's folder, optionally a
// loopback TCP port (inside a network namespace when one is given) and an append-only file, so
// that a restart keeps the data. Stopped by the PID recorded here.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './wait.js';

/** Where redis-server runs when not on this host's network: a namespace's `ip netns exec`. */
export interface Spawner {
  spawn(argv: string[]): ChildProcess;
}

export interface RedisOptions {
  netns?: Spawner;
  /** Also listen on 127.0.0.1:tcpPort (0: no TCP). */
  tcpPort?: number;
  /** Keep the data in an append-only file in `dir`, so that a restart finds it. */
  appendOnly?: boolean;
}

export class RedisServer {
  readonly socket: string;
  private proc: ChildProcess | undefined;
  private clients: Redis[] = [];
  private readonly opts: RedisOptions;

  /** `netns`, `tcpPort` as positional arguments or in options. */
  constructor(
    readonly dir: string,
    netnsOrOptions?: Spawner | RedisOptions,
    tcpPort = 0,
  ) {
    this.socket = join(dir, 'redis.sock');
    this.opts = netnsOrOptions && 'spawn' in netnsOrOptions ? { netns: netnsOrOptions, tcpPort } : { tcpPort, ...netnsOrOptions };
  }

  /** A server on a free loopback port (picked now; a restart keeps it). */
  static async onFreePort(dir: string, appendOnly = false): Promise<RedisServer> {
    return new RedisServer(dir, { tcpPort: await freePort(), appendOnly });
  }

  get tcpPort(): number {
    return this.opts.tcpPort ?? 0;
  }

  /** The URL of its TCP port (db 0). */
  get url(): string {
    return `redis://127.0.0.1:${this.tcpPort}/0`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  async start(): Promise<void> {
    const args = [
      '--port',
      String(this.tcpPort),
      '--bind',
      '127.0.0.1',
      '--unixsocket',
      this.socket,
      '--save',
      '',
      '--appendonly',
      this.opts.appendOnly ? 'yes' : 'no',
      // Every write on disk before its reply: a SIGKILL loses nothing a client was told.
      '--appendfsync',
      'always',
      '--dir',
      this.dir,
      '--notify-keyspace-events',
      'KEA',
    ];
    this.proc = this.opts.netns ? this.opts.netns.spawn(['redis-server', ...args]) : spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor('redis socket', () => existsSync(this.socket));
    await waitFor('redis ping', async () => {
      const c = new Redis({ path: this.socket, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      // Refused until the server listens: the rejected connect says so, the event need not.
      c.on('error', () => {});
      try {
        await c.connect();
        return (await c.ping()) === 'PONG';
      } catch {
        return undefined;
      } finally {
        c.disconnect();
      }
    });
  }

  client(db = 0): Redis {
    const c = new Redis({ path: this.socket, db, maxRetriesPerRequest: 1 });
    c.on('error', () => {});
    this.clients.push(c);
    return c;
  }

  /** Kills redis-server by PID (SIGKILL) and waits for it to exit. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    rmSync(this.socket, { force: true });
  }

  async stop(): Promise<void> {
    for (const c of this.clients.splice(0)) c.disconnect();
    await this.kill();
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}
