// Small measuring helpers for the daemon benchmark.
import { readdirSync, readFileSync } from 'node:fs';
import { parseStatus } from '../../daemon/src/obs/proc.js';

export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Sums `read(contents of /proc/<pid>/task/<tid>/<file>)` over the live threads of pid. */
function sumOverThreads(pid: number, file: string, read: (text: string) => number): number {
  let sum = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      sum += read(readFileSync(`/proc/${pid}/task/${tid}/${file}`, 'utf8'));
    } catch {
      // the thread exited meanwhile
    }
  }
  return sum;
}

/**
 * CPU seconds a process has run, summed over its threads, from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds; /proc/<pid>/stat counts 10 ms ticks).
 * Threads that exited earlier are not included; the daemon's live for its lifetime.
 */
export function cpuSeconds(pid: number): number {
  return sumOverThreads(pid, 'schedstat', (t) => Number(t.split(' ')[0])) / 1e9;
}

/** Voluntary plus involuntary context switches of a process, summed over its threads (guide §9: < 2000/s). */
export function contextSwitches(pid: number): number {
  return sumOverThreads(pid, 'status', (t) => {
    const s = parseStatus(t);
    return s.voluntaryCtxt + s.involuntaryCtxt;
  });
}

function statusKb(pid: number, field: string): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

export function rssBytes(pid: number): number {
  return statusKb(pid, 'VmRSS') * 1024;
}

/** The resident set split into anonymous memory and file pages (binary, libraries), in MB. */
export function rssSplitMb(pid: number): { anon: number; file: number } {
  return { anon: round(statusKb(pid, 'RssAnon') / 1024), file: round(statusKb(pid, 'RssFile') / 1024) };
}

/**
 * Quantile q of a Prometheus histogram between two scrapes, interpolated
 * linearly inside the bucket that holds it (as histogram_quantile does).
 */
export function histogramQuantile(name: string, before: Map<string, number>, after: Map<string, number>, q: number): number {
  const re = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}$`);
  const buckets: Array<[number, number]> = [];
  for (const [k, v] of after) {
    const le = re.exec(k)?.[1];
    if (le) buckets.push([le === '+Inf' ? Infinity : Number(le), v - (before.get(k) ?? 0)]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, cum] of buckets) {
    if (cum >= rank) {
      if (le === Infinity) return lower;
      return lower + ((le - lower) * (rank - below)) / Math.max(cum - below, 1);
    }
    lower = le;
    below = cum;
  }
  return lower;
}

/** `link set` lines that always change state: each port toggles admin up/down in turn. */
export function toggleLines(ports: string[], count: number): string[] {
  const up = new Array<boolean>(ports.length).fill(true);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = i % ports.length;
    up[p] = !up[p];
    lines.push(`link set ${ports[p]} ${up[p] ? 'up' : 'down'}`);
  }
  return lines;
}
