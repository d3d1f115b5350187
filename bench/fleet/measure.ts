// Runs one timed command the way a user would run it, and measures it from outside: wall time,
// the CPU of its whole process tree and its memory. The command runs under /usr/bin/time -v,
// whose "Maximum resident set size" is that of the largest single process of the tree; the
// sum over the tree (Ansible forks a worker and an ssh client per host) is sampled as PSS, which
// counts shared pages once in total rather than once per process.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Measured {
  seconds: number;
  exitCode: number;
  /** user + sys of the command and every descendant it waited for. */
  cpuSeconds: number;
  /** Peak RSS of the largest single process of the tree. */
  maxRssMb: number;
  /** Peak of the PSS summed over the whole tree, sampled every PSS_SAMPLE_MS. */
  treePssPeakMb: number;
  stdout: string;
  stderr: string;
}

const PSS_SAMPLE_MS = 200;

/** Commands running now, so that an interrupted benchmark can stop them before tearing down. */
const running = new Set<ReturnType<typeof spawn>>();

export function stopRunning(signal: NodeJS.Signals): void {
  for (const child of running) child.kill(signal);
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function readdirOr(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The pid and every descendant, through /proc/PID/task/TID/children (no scan of all of /proc). */
function processTree(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    for (const t of readdirOr(`/proc/${p}/task`)) {
      for (const c of readOr(`/proc/${p}/task/${t}/children`).split(/\s+/)) if (c) stack.push(Number(c));
    }
  }
  return out;
}

function treePssKb(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + Number(/^Pss:\s+(\d+)/m.exec(readOr(`/proc/${p}/smaps_rollup`))?.[1] ?? 0), 0);
}

function parseTimeV(text: string): { cpuSeconds: number; maxRssMb: number } {
  const num = (label: string) => Number(new RegExp(`${label}: ([\\d.]+)`).exec(text)?.[1] ?? NaN);
  return {
    cpuSeconds: round(num('User time \\(seconds\\)') + num('System time \\(seconds\\)'), 2),
    maxRssMb: round(num('Maximum resident set size \\(kbytes\\)') / 1024, 1),
  };
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function measure(argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Measured> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleet-bench-time-'));
  const timeFile = path.join(dir, 'time.txt');
  try {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-v', '-o', timeFile, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let pssPeakKb = 0;
    const sampler = setInterval(() => (pssPeakKb = Math.max(pssPeakKb, treePssKb(child.pid!))), PSS_SAMPLE_MS);
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    running.delete(child);
    return {
      seconds: round(seconds),
      exitCode,
      ...parseTimeV(readOr(timeFile)),
      treePssPeakMb: round(pssPeakKb / 1024, 1),
      stdout,
      stderr,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
