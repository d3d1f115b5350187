// Parsers for what health_check reads: systemctl show, an HTTP/1.0 response, Prometheus text,
// `ip -j link` and the PORT_TABLE dump. Pure.

export function parseKeyValues(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

export interface HttpReply {
  status: number;
  body: string;
}

export function parseHttp(raw: string): HttpReply | null {
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(raw);
  if (!m) return null;
  const split = raw.indexOf('\r\n\r\n');
  return { status: Number(m[1]), body: split < 0 ? '' : raw.slice(split + 4) };
}

/** Prometheus text: `name{labels} value` → value, keyed by the series as written. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    if (i > 0) out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** `after - before` for every series (counters and histogram buckets since `before` was read). */
export function metricsDelta(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
}

function cumulativeBuckets(metrics: Map<string, number>, name: string): { le: number; cum: number }[] {
  return [...metrics]
    .map(([series, v]) => [/^(.+)_bucket\{le="([^"]+)"\}$/.exec(series), v] as const)
    .filter(([m]) => m && m[1] === name)
    .map(([m, v]) => ({ le: m![2] === '+Inf' ? Infinity : Number(m![2]), cum: v }))
    .sort((a, b) => a.le - b.le);
}

/** The histogram as a count per bucket (not cumulative), for charts. */
export function histogramBuckets(metrics: Map<string, number>, name: string): { le: number; count: number }[] {
  return cumulativeBuckets(metrics, name).map((b, i, all) => ({ le: b.le, count: b.cum - (i ? all[i - 1]!.cum : 0) }));
}

/** P99 as the upper bound of the histogram bucket holding it; null without observations. */
export function histogramQuantile(metrics: Map<string, number>, name: string, q: number): { le: number; count: number } | null {
  const buckets = cumulativeBuckets(metrics, name);
  const count = buckets.at(-1)?.cum ?? 0;
  if (count === 0) return null;
  const hit = buckets.find((b) => b.cum >= q * count)!;
  return { le: hit.le, count };
}

export interface PortState {
  oper: 'up' | 'down';
  admin: 'up' | 'down';
}

/** Kernel view as the daemon maps it: admin from IFF_UP, oper from IFF_RUNNING (operstate UP/UNKNOWN). */
export function kernelPorts(ipJson: string, prefix: string): Map<string, PortState> {
  const links = JSON.parse(ipJson) as { ifname: string; flags?: string[]; operstate?: string }[];
  const out = new Map<string, PortState>();
  for (const l of links) {
    if (!l.ifname.startsWith(prefix)) continue;
    const admin = l.flags?.includes('UP') ? 'up' : 'down';
    const running = admin === 'up' && (l.operstate === 'UP' || l.operstate === 'UNKNOWN');
    out.set(l.ifname, { admin, oper: running ? 'up' : 'down' });
  }
  return out;
}

/** `redis-cli --raw EVAL` output: key, oper, admin per entry, one per line. */
export function redisPorts(raw: string, prefix: string): Map<string, PortState> {
  const lines = raw.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const out = new Map<string, PortState>();
  for (let i = 0; i + 2 < lines.length; i += 3) {
    const name = lines[i]!.replace(/^PORT_TABLE\|/, '');
    if (name.startsWith(prefix)) out.set(name, { oper: lines[i + 1] as PortState['oper'], admin: lines[i + 2] as PortState['admin'] });
  }
  return out;
}
