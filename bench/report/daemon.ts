// Reads the daemon benchmark's result file (written by bench/daemon/run.ts) into the few figures
// the summary and the latency chart show. That file's layout has changed over time, so every
// figure is looked up where each layout keeps it, and a figure absent from the file is absent
// here too (never invented).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One measured event rate: the latency the daemon reports at that rate, its CPU and drops. */
export interface RatePoint {
  label: string;
  eventsPerS: number;
  p50Us?: number;
  p99Us?: number;
  p999Us?: number;
  cpuPercent?: number;
  contextSwitchesPerS?: number;
  drops?: number;
}

export interface DaemonSummary {
  file: string;
  when?: string;
  /** Which daemon ran (e.g. the shipped artifact) and its write interval, when the file says. */
  subject?: string;
  points: RatePoint[];
  /** Highest kernel event rate absorbed (live generators) and drained (after a pause). */
  maxAbsorbedPerS?: number;
  maxDrainedPerS?: number;
  /** End-to-end latency of single events (link change to Redis notification). */
  e2eUs?: { p50?: number; p99?: number };
  soak?: { seconds: number; rssMb: { first: number; last: number; max: number }; series?: [number, number][] };
  /** True when the file holds a sweep over several rates (5K, 15K, 25K, max). */
  hasSweep: boolean;
}

type Json = Record<string, any>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Newest daemon-*.json in dir (their names sort by time), or undefined. */
export function latestDaemonResult(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((f) => /^daemon-.*\.json$/.test(f))
    .sort();
  return files.length ? path.join(dir, files.at(-1)!) : undefined;
}

/** A paced run, in either layout: {processing: {p50_us}} or {processing_histogram_us: {p50_le}}. */
function pacedPoint(label: string, p: Json): RatePoint | undefined {
  const eventsPerS = num(p.kernel_events_per_s) ?? num(p.events_per_s);
  if (eventsPerS === undefined) return undefined;
  const proc = (p.processing ?? {}) as Json;
  const hist = (p.processing_histogram_us ?? {}) as Json;
  return {
    label,
    eventsPerS,
    p50Us: num(proc.p50_us) ?? num(hist.p50_le),
    p99Us: num(proc.p99_us) ?? num(hist.p99_le),
    p999Us: num(proc.p999_us) ?? num(hist.p999_le),
    cpuPercent: num(p.cpu_percent_of_core),
    contextSwitchesPerS: num(p.context_switches_per_s),
    drops: num(p.socket_drops) ?? num(p.dropped),
  };
}

export function summariseDaemon(file: string): DaemonSummary {
  const d = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const points: RatePoint[] = [];
  const sweep = Array.isArray(d.sweep) ? (d.sweep as Json[]) : [];
  for (const s of sweep) {
    const p = pacedPoint(`sweep ${s.target_events_per_s ?? s.target ?? ''}`.trim(), s);
    if (p) points.push(p);
  }
  // A sweep already holds the 15K rate the paced runs and the soak measure; alone it keeps the chart one line per quantile.
  const runs = Array.isArray(d.runs) && !sweep.length ? (d.runs as Json[]) : [];
  runs.forEach((r, i) => {
    const p = r.paced && pacedPoint(`paced run ${i + 1}`, r.paced);
    if (p) points.push(p);
  });
  if (d.paced_15k) {
    const p = pacedPoint('paced 15K', d.paced_15k);
    if (p) points.push(p);
  }
  let soak: DaemonSummary['soak'];
  if (d.soak) {
    const p = pacedPoint('soak', d.soak);
    if (p && !sweep.length) points.push(p);
    if (d.soak.rss_mb) soak = { seconds: d.soak.seconds, rssMb: d.soak.rss_mb, series: d.soak.rss_series_mb };
  }
  const m = (d.medians ?? {}) as Json;
  const absorbed = [
    num(m.kernel_rate_per_s_1gen),
    num(m.kernel_rate_per_s_2gen),
    ...((d.absorption ?? []) as Json[]).map((a) => num(a.kernel_rate_per_s)),
  ];
  const drained = [num(m.drain_events_per_s), ...((d.drain ?? []) as Json[]).map((a) => num(a.events_per_s))];
  const max = (xs: (number | undefined)[]) => {
    const v = xs.filter((x): x is number => x !== undefined);
    return v.length ? Math.max(...v) : undefined;
  };
  const lat = (d.latency ?? {}) as Json;
  return {
    file,
    when: d.when,
    subject: typeof d.daemon === 'string' ? `${d.daemon}, min_write_interval_ms ${d.min_write_interval_ms ?? 0}` : undefined,
    points: points.sort((a, b) => a.eventsPerS - b.eventsPerS),
    maxAbsorbedPerS: max(absorbed),
    maxDrainedPerS: max(drained),
    e2eUs: { p50: num(m.e2e_p50_us) ?? num(lat.e2e_us?.p50), p99: num(m.e2e_p99_us) ?? num(lat.e2e_us?.p99) },
    soak,
    hasSweep: sweep.length > 0,
  };
}
