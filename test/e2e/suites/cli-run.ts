// Running the CLI against the lab from the e2e suites: to completion, or watched line by line
// so a test can act on the switches (cut a connection, send a signal) while the run is under way.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { switchExec } from '../../../lab/lab.js';
import type { E2eLab } from '../lab-handle.js';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const CLI = join(REPO, 'bin/portsync-deploy.js');

export type RunEventJson = Record<string, any>;

export interface CliRun {
  code: number;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  events: RunEventJson[];
  secs: number;
}

const parseEvents = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as RunEventJson);

export function cli(args: string[]): CliRun {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 300_000,
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const out = r.stdout ?? '';
  return {
    code: r.status ?? -1,
    signal: r.signal,
    out,
    err: r.stderr ?? '',
    events: parseEvents(out),
    secs: (Date.now() - started) / 1000,
  };
}

/** Runs the CLI with --json output and calls `onEvent` for every event as it arrives. */
export function watchCli(args: string[], onEvent: (e: RunEventJson, child: ChildProcess) => void): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const l of lines) if (l.startsWith('{')) onEvent(JSON.parse(l) as RunEventJson, child);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, out, err, events: parseEvents(out), secs: (Date.now() - started) / 1000 });
    });
  });
}

/** Runs a shell script as root inside a switch; fails the test when it fails. */
export async function on(lab: E2eLab, sw: string, script: string): Promise<string> {
  const r = await switchExec(lab.name, sw, ['sh', '-c', script]);
  assert.equal(r.code, 0, `on ${sw}: ${script}\n${r.stderr}`);
  return r.stdout;
}

/** Whether a path exists inside a switch. */
export async function existsOn(lab: E2eLab, sw: string, path: string): Promise<boolean> {
  return (await switchExec(lab.name, sw, ['test', '-e', path])).code === 0;
}

export type HostRecap = { ok: number; changed: number; failed: number; skipped: number; unreachable: number; round_trips?: number };

export function recapOf(r: CliRun): Record<string, HostRecap> {
  const recap = r.events.filter((e) => e.event === 'recap').at(-1);
  assert.ok(recap, `the run printed no recap:\n${r.out}\n${r.err}`);
  return recap.hosts as Record<string, HostRecap>;
}

export function resultsOf(r: CliRun, host: string): RunEventJson[] {
  return r.events.filter((e) => e.event === 'result' && e.host === host);
}

export function batchesOf(r: CliRun): string[][] {
  return r.events.filter((e) => e.event === 'batch_start').map((e) => e.hosts as string[]);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** A sparse file of `mb` MiB that starts with `head`: binary content goes through the streamed upload. */
export function writeBigFile(path: string, head: string, mb: number): void {
  const fd = openSync(path, 'w');
  writeSync(fd, Buffer.from(head));
  ftruncateSync(fd, mb * 1024 * 1024);
  closeSync(fd);
}

/** Waits until the upload of `dir/name` (`mb` MiB) is staged on the switch and still short of the whole file. */
export function uploadUnderway(lab: E2eLab, sw: string, dir: string, name: string, mb: number): Promise<number> {
  return waitFor(
    'the upload to start',
    async () => {
      const size = Number((await on(lab, sw, `stat -c %s ${dir}/.*${name}.psd-* 2>/dev/null | head -1`)).trim() || 0);
      return size > 0 && size < mb * 1024 * 1024 ? size : undefined;
    },
    60_000,
    20,
  );
}

/**
 * Runs `fn` with traffic towards a switch slowed down (a token bucket on the lab's own host-side
 * veth of that switch), so a transfer lasts long enough to be caught mid-way on any machine.
 */
export async function throttled<T>(lab: E2eLab, sw: string, fn: () => Promise<T>): Promise<T> {
  const dev = `ps${lab.name}-${sw[0]}${/\d+$/.exec(sw)![0]}`;
  const add = spawnSync('tc', ['qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', '400mbit', 'burst', '256kb', 'latency', '100ms'], {
    encoding: 'utf8',
  });
  assert.equal(add.status, 0, `tc on ${dev}: ${add.stderr}`);
  try {
    return await fn();
  } finally {
    spawnSync('tc', ['qdisc', 'del', 'dev', dev, 'root']);
  }
}
