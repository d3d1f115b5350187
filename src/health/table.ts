// The fleet health table: one row per host and check, failing checks marked; pure.
import { healthState, type HostHealth } from '../exec/probe-host.js';

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));

export function healthTable(hosts: HostHealth[]): string {
  const rows: string[][] = [['HOST', 'CHECK', 'RESULT', 'VALUE', 'THRESHOLD']];
  for (const h of hosts) {
    if (h.error) rows.push([h.host, h.unreachable ? 'connect' : 'probe', 'FAIL', h.error, '']);
    let first = !h.error;
    for (const t of h.tasks) {
      for (const r of t.results) {
        rows.push([first ? h.host : '', r.check, r.notProbed ? 'not probed' : r.ok ? 'pass' : 'FAIL', r.value, r.threshold ?? '']);
        first = false;
      }
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (c < 4 ? r[c]!.length : 0))));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (c < 4 ? pad(cell, widths[c]!) : cell))
      .join('  ')
      .trimEnd(),
  );
  const inState = (s: ReturnType<typeof healthState>) => hosts.filter((h) => healthState(h) === s).map((h) => h.host);
  const [bad, unprobed] = [inState('unhealthy'), inState('not probed')];
  const summary =
    `${hosts.length} host${hosts.length === 1 ? '' : 's'}: ${inState('healthy').length} healthy, ${bad.length} unhealthy${bad.length ? ` (${bad.join(', ')})` : ''}` +
    (unprobed.length ? `, ${unprobed.length} not probed (${unprobed.join(', ')})` : '');
  return `${lines.join('\n')}\n${summary}\n`;
}
