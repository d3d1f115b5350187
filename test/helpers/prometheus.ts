// Debian's prometheus, run by a test: on a free loopback port, its data in the test's folder,
// stopped by the PID it was started with. Queries go through its HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

async function freeLoopbackPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
}

export interface PromTarget {
  labels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  lastScrape: string;
  lastError: string;
}

export class Prometheus {
  #child?: ChildProcess;
  #exited?: Promise<void>;
  url = '';

  constructor(
    readonly config: string,
    readonly dir: string,
  ) {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get log(): string {
    return readFileSync(join(this.dir, 'prometheus.log'), 'utf8');
  }

  async start(): Promise<void> {
    const port = await freeLoopbackPort();
    this.url = `http://127.0.0.1:${port}`;
    const log = openSync(join(this.dir, 'prometheus.log'), 'a');
    const child = spawn(
      'prometheus',
      [
        `--config.file=${this.config}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** SIGTERM to the recorded PID, SIGKILL if it is still there after 10 s. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(timer);
  }

  /** `data` of an API answer; undefined while Prometheus does not answer yet. */
  async api<T>(path: string): Promise<T | undefined> {
    if (this.#child?.exitCode !== null && this.#child?.exitCode !== undefined)
      throw new Error(`prometheus exited with ${this.#child.exitCode}:\n${this.log}`);
    try {
      const res = await fetch(`${this.url}/api/v1/${path}`);
      const body = (await res.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
      return body.data;
    } catch (e) {
      if ((e as Error).message.startsWith('prometheus ')) throw e;
      return undefined;
    }
  }

  /** An instant query's value per switch label. */
  async values(promql: string): Promise<Map<string, number> | undefined> {
    const data = await this.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
      `query?query=${encodeURIComponent(promql)}`,
    );
    return data && new Map(data.result.map((r) => [r.metric.switch!, Number(r.value[1])]));
  }

  async alerts(): Promise<PromAlert[] | undefined> {
    return (await this.api<{ alerts: PromAlert[] }>('alerts'))?.alerts;
  }

  async targets(): Promise<PromTarget[] | undefined> {
    return (await this.api<{ activeTargets: PromTarget[] }>('targets?state=active'))?.activeTargets;
  }
}
