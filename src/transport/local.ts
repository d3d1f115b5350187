// The control machine itself: scripts run under a local `sh`.
import { spawn } from 'node:child_process';
import { copyFile, open, rename, chmod, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ExecOptions, ExecResult, Transport } from './types.js';
import { rooted, stdinScriptCommand, wholeStdinScript } from '../script/shell.js';

export interface LocalOptions {
  /** Prefix for target paths; exported to scripts as $ROOT. */
  root?: string;
  offline?: boolean;
  transportName?: string;
}

export class LocalTransport implements Transport {
  readonly name: string;
  readonly root: string;
  readonly offline: boolean;
  roundTrips = 0;
  bytesUploaded = 0;

  constructor(opts: LocalOptions = {}) {
    this.name = opts.transportName ?? 'local';
    this.root = opts.root ?? '';
    this.offline = opts.offline ?? false;
  }

  async connect(): Promise<void> {}

  async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.roundTrips++;
    // The script travels on stdin ahead of the caller's input: never in argv, never in a file.
    if (opts.stdin === undefined) return runSh(['-s'], this.root, { ...opts, stdin: wholeStdinScript(script) });
    const body = Buffer.from(script);
    const stdin = Buffer.concat([body, Buffer.from(opts.stdin)]);
    return runSh(['-c', stdinScriptCommand(body.length)], this.root, { ...opts, stdin });
  }

  async upload(localPath: string, remotePath: string, mode?: string): Promise<void> {
    this.roundTrips++;
    const dest = rooted(this.root, remotePath);
    const tmp = join(dirname(dest), `.${basename(dest)}.psd-${randomBytes(6).toString('hex')}.tmp`);
    try {
      await copyFile(localPath, tmp);
      const fh = await open(tmp, 'r+');
      try {
        this.bytesUploaded += (await fh.stat()).size;
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (mode) await chmod(tmp, parseInt(mode, 8));
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async close(): Promise<void> {}
}

/** Runs in its own process group so a Ctrl-C on the terminal never cuts a script mid-write. */
function runSh(args: string[], root: string, opts: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', args, {
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ROOT: root },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      opts.onStdout?.(b);
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {}); // the script may exit before reading all of its stdin
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const raw = Buffer.concat(out);
      resolve({ rc: code ?? (signal ? 128 + 9 : 1), stdout: raw.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), raw });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

export function createLocalTransport(): Transport {
  return new LocalTransport();
}
