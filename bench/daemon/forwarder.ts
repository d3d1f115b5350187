// The in-run latency reference: forwarder.c (netlink -> hiredis, one synchronous
// HSET per event) built with Debian's libhiredis and started in the benchmark's
// namespace, while the daemon is held with SIGSTOP, so the same probe measures
// both on the same port, Redis and machine state.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { repoRoot, waitFor, type Netns } from '../../test/daemon/helpers/env.js';

export function buildForwarder(dir: string): string {
  const out = join(dir, 'forwarder');
  const r = spawnSync('cc', ['-O2', '-Wall', '-o', out, join(repoRoot(), 'bench/daemon/forwarder.c'), '-lhiredis'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the C forwarder failed (apt-get install libhiredis-dev): ${r.stderr}`);
  return out;
}

export class Forwarder {
  private readonly proc: ChildProcess;
  private out = '';
  constructor(ns: Netns, bin: string, redisSocket: string, stateDb = 6) {
    this.proc = ns.spawn([bin, redisSocket, String(stateDb)]);
    this.proc.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
  }
  get pid(): number | undefined {
    return this.proc.pid;
  }
  ready(): Promise<boolean> {
    return waitFor(
      'forwarder ready',
      () => this.out.includes('ready') || (this.proc.exitCode !== null ? Promise.reject(new Error('forwarder exited')) : undefined),
    );
  }
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = once(this.proc, 'exit');
    this.proc.kill('SIGKILL');
    await exited;
  }
}
