// Runs monitor.ts inside a namespace and keeps its latest kernel event count.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Netns } from '../../test/daemon/helpers/env.js';
import { sleep, waitFor } from '../../test/daemon/helpers/env.js';

export class KernelMonitor {
  events = 0;
  overflows = 0;
  private readonly proc: ChildProcess;
  private started = false;

  constructor(ns: Netns, script: string) {
    this.proc = spawn('ip', ['netns', 'exec', ns.name, process.execPath, script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buf = '';
    this.proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      const last = lines.at(-1);
      if (!last) return;
      const [events, overflows] = last.split(' ').map(Number);
      this.events = events!;
      this.overflows = overflows!;
      this.started = true;
    });
  }

  ready(): Promise<boolean> {
    return waitFor('kernel monitor', () => this.started || undefined);
  }

  /** The count once it has not moved for 200 ms. */
  async settled(): Promise<number> {
    let last = -1;
    while (last !== this.events) {
      last = this.events;
      await sleep(200);
    }
    if (this.overflows) throw new Error('the kernel event monitor overflowed: counts are a lower bound');
    return this.events;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.stdin!.end();
    await exited;
  }
}
