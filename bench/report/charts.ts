// The charts of one benchmark run: time vs switches for both tools and every scenario, latency
// vs event rate for portsyncd, and portsyncd's RSS over the soak.
import type { Cell } from '../fleet/suite.js';
import { lineChart, type Series } from './svg-chart.js';
import type { BenchResults } from './types.js';

const TOOL_COLORS = {
  'portsync-deploy': ['#1f77b4', '#6baed6', '#08306b'],
  'portsync-deploy-native': ['#2ca02c', '#a1d99b', '#00441b'],
  ansible: ['#d62728', '#fc9272', '#67000d'],
} as const;

export function fleetChart(r: BenchResults): string {
  const cells = r.fleet?.cells.filter((c) => c.suite === 'fleet') ?? [];
  const series: Series[] = [];
  for (const tool of ['portsync-deploy', 'portsync-deploy-native', 'ansible'] as const) {
    (['cold', 'nochange', 'check'] as const).forEach((sc, i) => {
      const mine = cells.filter((c: Cell) => c.tool === tool && c.scenario === sc);
      if (mine.length)
        series.push({
          name: `${tool} ${sc}`,
          color: TOOL_COLORS[tool][i],
          dashed: i > 0,
          points: mine.map((c) => [c.hosts, c.median.seconds]),
        });
    });
  }
  return lineChart({ title: 'Fleet tuning: wall time vs switches (median)', xLabel: 'switches', yLabel: 'seconds', series, logY: true });
}

export function daemonLatencyChart(r: BenchResults): string {
  const pts = r.daemon?.summary?.points ?? [];
  const at = (f: (p: (typeof pts)[number]) => number | undefined): [number, number][] =>
    pts.filter((p) => f(p) !== undefined).map((p) => [p.eventsPerS, f(p)!]);
  const series: Series[] = [
    { name: 'P50', color: '#2ca02c', points: at((p) => p.p50Us) },
    { name: 'P99', color: '#ff7f0e', points: at((p) => p.p99Us) },
    { name: 'P99.9', color: '#9467bd', points: at((p) => p.p999Us) },
  ].filter((s) => s.points.length > 0);
  return lineChart({
    title: 'portsyncd: processing latency vs kernel event rate',
    xLabel: 'kernel events/s',
    yLabel: 'latency (µs)',
    series,
    logY: true,
  });
}

export function daemonRssChart(r: BenchResults): string | undefined {
  const series = r.daemon?.summary?.soak?.series;
  if (!series?.length) return undefined;
  return lineChart({
    title: 'portsyncd: RSS over the soak',
    xLabel: 'seconds',
    yLabel: 'RSS (MB)',
    series: [{ name: 'RSS', color: '#1f77b4', points: series }],
  });
}
