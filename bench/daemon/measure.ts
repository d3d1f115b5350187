// Small measuring helpers for the daemon benchmark.
import { readdirSync, readFileSync } from 'node:fs';

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

/**
 * CPU seconds a process has run, summed over its threads, from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds; /proc/<pid>/stat counts 10 ms ticks).
 * Threads that exited earlier are not included; the daemon's live for its lifetime.
 */
export function cpuSeconds(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread exited meanwhile
    }
  }
  return ns / 1e9;
}

export function rssBytes(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
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
