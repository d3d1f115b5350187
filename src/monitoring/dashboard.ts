// The Grafana dashboard of the guide's §14 (latency trend, throughput, drops, context switches,
// memory) plus what an operator needs beside it (P99 against the SLO, Redis, resyncs, CPU, up),
// on the daemon's real metric names. Variables: $group and $switch.

export interface Panel {
  title: string;
  unit: string;
  exprs: { expr: string; legend: string }[];
  type?: 'timeseries' | 'heatmap' | 'stat';
}

const SEL = 'switch=~"$switch", groups=~".*,$group,.*"';

export const PANELS: Panel[] = [
  {
    title: 'Event latency P99',
    unit: 's',
    exprs: [
      {
        expr: `histogram_quantile(0.99, sum by (switch, le) (rate(portsyncd_event_latency_seconds_bucket{${SEL}}[$__rate_interval])))`,
        legend: '{{switch}} p99',
      },
    ],
  },
  {
    title: 'Event latency distribution',
    unit: 's',
    type: 'heatmap',
    exprs: [{ expr: `sum by (le) (rate(portsyncd_event_latency_seconds_bucket{${SEL}}[$__rate_interval]))`, legend: '{{le}}' }],
  },
  {
    title: 'Throughput: netlink events per second',
    unit: 'ops',
    exprs: [
      {
        expr: `sum by (switch) (rate(portsyncd_netlink_events_total{${SEL}, type!="dump_reply"}[$__rate_interval]))`,
        legend: '{{switch}}',
      },
    ],
  },
  {
    title: 'Redis writes per second',
    unit: 'ops',
    exprs: [{ expr: `sum by (switch) (rate(portsyncd_redis_writes_total{${SEL}}[$__rate_interval]))`, legend: '{{switch}}' }],
  },
  {
    title: 'Netlink drops',
    unit: 'short',
    exprs: [
      { expr: `sum by (switch) (increase(portsyncd_netlink_drops_total{${SEL}}[$__rate_interval]))`, legend: '{{switch}} drops' },
      { expr: `sum by (switch) (increase(portsyncd_resyncs_total{${SEL}}[$__rate_interval]))`, legend: '{{switch}} resyncs' },
    ],
  },
  {
    title: 'Context switches per second (guide: at most 2,000)',
    unit: 'ops',
    exprs: [{ expr: `sum by (switch) (rate(portsyncd_process_context_switches_total{${SEL}}[$__rate_interval]))`, legend: '{{switch}}' }],
  },
  { title: 'Resident memory', unit: 'bytes', exprs: [{ expr: `portsyncd_process_resident_memory_bytes{${SEL}}`, legend: '{{switch}}' }] },
  {
    title: 'CPU',
    unit: 'percentunit',
    exprs: [{ expr: `sum by (switch) (rate(portsyncd_process_cpu_seconds_total{${SEL}}[$__rate_interval]))`, legend: '{{switch}}' }],
  },
  {
    title: 'Redis connected, healthy, scraped',
    unit: 'short',
    type: 'stat',
    exprs: [
      { expr: `min(portsyncd_redis_connected{${SEL}})`, legend: 'redis' },
      { expr: `min(portsyncd_healthy{${SEL}})`, legend: 'healthz' },
      { expr: `min(up{job="portsyncd", ${SEL}})`, legend: 'up' },
    ],
  },
];

/** Grafana dashboard JSON (schema 39), with a Prometheus datasource variable; `groups` are the
 *  inventory's groups, offered by the $group variable. */
export function dashboard(groups: string[]): Record<string, unknown> {
  const ds = { type: 'prometheus', uid: '${datasource}' };
  return {
    uid: 'portsyncd',
    title: 'portsyncd',
    tags: ['portsyncd', 'sonic'],
    schemaVersion: 39,
    timezone: 'utc',
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' },
        {
          name: 'group',
          type: 'custom',
          label: 'Group',
          query: ['all', ...groups].join(','),
          includeAll: false,
          current: { text: 'all', value: 'all' },
        },
        {
          name: 'switch',
          type: 'query',
          label: 'Switch',
          datasource: ds,
          query: { query: 'label_values(up{job="portsyncd"}, switch)', refId: 'switch' },
          definition: 'label_values(up{job="portsyncd"}, switch)',
          includeAll: true,
          multi: true,
          allValue: '.*',
          refresh: 2,
        },
      ],
    },
    panels: PANELS.map((p, i) => ({
      id: i + 1,
      type: p.type ?? 'timeseries',
      title: p.title,
      datasource: ds,
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
      targets: p.exprs.map((e, j) => ({ refId: String.fromCharCode(65 + j), datasource: ds, expr: e.expr, legendFormat: e.legend })),
    })),
  };
}

/** A dashboard query as plain PromQL, the way Grafana sends it for every switch of group `all`. */
export function asPromql(expr: string): string {
  return expr.replaceAll('$__rate_interval', '5m').replaceAll('$switch', '.*').replaceAll('$group', 'all');
}
