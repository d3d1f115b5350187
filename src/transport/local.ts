// The control machine itself: scripts run under a local `sh`.
import { spawn } from 'node:child_process';
import { copyFile, open, rename, chmod, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ExecOptions, ExecResult, Transport } from './types.js';

/** Linux caps one argv string at 128 KiB; larger scripts run from a private temp file. */
const MAX_INLINE_SCRIPT = 100_000;

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
    if (Buffer.byteLength(script) <= MAX_INLINE_SCRIPT) return runSh(['-c', script], this.root, opts);
    const dir = await mkdtemp(join(tmpdir(), 'psd-script-'));
    try {
      const file = join(dir, 'script.sh');
      await writeFile(file, script, { mode: 0o600 });
      return await runSh([file], this.root, opts);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async upload(localPath: string, remotePath: string, mode?: string): Promise<void> {
    this.roundTrips++;
    const dest = this.root ? this.root.replace(/\/+$/, '') + remotePath : remotePath;
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
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {}); // the script may exit before reading all of its stdin
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        rc: code ?? (signal ? 128 + 9 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

export function createLocalTransport(): Transport {
  return new LocalTransport();
}
