// The real parts of a queued run besides redis-server (test/helpers/redis-server.ts): worker
// processes each with its own home folder, and the CLI as a user runs it. Everything is stopped
// by the PID recorded here.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../helpers/wait.js';

export { sleep, waitFor } from '../../helpers/wait.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const BIN = join(REPO, 'bin/portsync-deploy.js');

export class TestWorker {
  readonly proc: ChildProcess;
  readonly home = mkdtempSync(join(tmpdir(), 'psd-queue-worker-'));
  log = '';

  constructor(url: string, args: string[] = [], env: Record<string, string> = {}) {
    mkdirSync(this.home, { recursive: true });
    this.proc = spawn(process.execPath, [BIN, 'worker', '--queue', url, ...args], {
      cwd: this.home,
      env: { ...process.env, HOME: this.home, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.proc.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  ready(): Promise<boolean> {
    return waitFor(`worker ${this.pid} ready`, () => this.log.includes('worker ready') || undefined, 60_000);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    if (p.exitCode === null && p.signalCode === null) {
      const exited = new Promise((r) => p.once('exit', r));
      p.kill(signal);
      await exited;
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}

export function cli(args: string[], env: Record<string, string> = {}, cwd = REPO): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The CLI in the background, for a test that acts while it runs. */
export function cliAsync(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: '1', ...env } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => done({ code, out, err }));
  });
}

/** JSON lines as events, the run-dependent figures (timings, round trips) left out. */
export function comparable(out: string): string[] {
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.event !== 'host_stats' && e.event !== 'plan_progress' && e.event !== 'progress')
    .map((e) => {
      if (e.event !== 'recap') return JSON.stringify(e);
      const hosts = Object.fromEntries(
        Object.entries(e.hosts as Record<string, Record<string, number>>).map(([h, { round_trips: _, ...c }]) => [h, c]),
      );
      return JSON.stringify({ event: 'recap', hosts });
    })
    .sort();
}

export function sh(cmd: string[]): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  return r.stdout;
}
