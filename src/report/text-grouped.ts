// Grouped text: one block per task with one line per group of hosts that had the same outcome,
// host lists compressed into ranges, outliers marked. The recap groups hosts with equal counts.
// Nothing is lost: every host's status, message, warnings, summaries and diffs can be read back.
import type { TaskResult } from '../exec/results.js';
import type { Recap } from './events.js';
import { colourDiff, type Palette } from './colour.js';
import { groupRecap, groupResults } from './group.js';
import { hostListText } from './host-list.js';

export const STATUS_COLOUR: Record<string, keyof Palette> = {
  ok: 'green',
  changed: 'yellow',
  failed: 'red',
  unreachable: 'red',
  skipped: 'cyan',
};

const hostCount = (n: number) => `${n} host${n === 1 ? '' : 's'}`;

/** `changed: dc1-leaf-[01:16] (16 hosts)`, `changed: dc1-leaf-07 (1 host, outlier) (message)`. */
export function groupedResultsText(results: readonly TaskResult[], p: Palette, diff: boolean): string[] {
  const out: string[] = [];
  for (const t of groupResults(results)) {
    out.push(p.bold(`\n${t.handler ? 'HANDLER' : 'TASK'} [${t.task}]`));
    for (const g of t.groups) {
      const count = `(${hostCount(g.hosts.length)}${g.outlier ? ', outlier' : ''})`;
      out.push(
        `${p[STATUS_COLOUR[g.status] ?? 'bold'](`${g.status}:`)} ${hostListText(g.hosts)} ${g.outlier ? p.bold(count) : p.dim(count)}` +
          (g.msg ? ` ${p.dim(`(${g.msg})`)}` : ''),
      );
      for (const w of g.warnings ?? []) out.push(p.yellow(`  [WARNING] ${w}`));
      for (const c of g.changes) {
        out.push(`  ${c.summary}`);
        if ((diff || c.shown) && c.diff) out.push(colourDiff(c.diff.replace(/\n$/, ''), p).replace(/^/gm, '    '));
      }
    }
  }
  return out;
}

/** `round trips: 1, 0 bytes uploaded: leaf-[1:960] (960 hosts)`. */
export function groupedStatsText(stats: readonly { host: string; roundTrips: number; bytesUploaded: number }[], p: Palette): string[] {
  const groups = new Map<string, string[]>();
  for (const s of stats) {
    const key = `round trips: ${s.roundTrips}, ${s.bytesUploaded} bytes uploaded`;
    groups.set(key, [...(groups.get(key) ?? []), s.host]);
  }
  return [...groups].map(([what, hosts]) => p.dim(`${what}: ${hostListText(hosts)} (${hostCount(hosts.length)})`));
}

/** One row per set of equal counts: `ok=5 changed=11 … : leaf-[1:960] (960 hosts)`; failures first. */
export function groupedRecapText(hosts: Record<string, Recap>, p: Palette): string {
  const rows = groupRecap(hosts).map((g) => `${recapCells(g.counts, p)}: ${hostListText(g.hosts)} (${hostCount(g.hosts.length)})`);
  return [p.bold(`\nPLAY RECAP (${hostCount(Object.keys(hosts).length)})`), ...rows].join('\n');
}

export function recapCells(r: Recap, p: Palette): string {
  return (
    (['ok', 'changed', 'unreachable', 'failed', 'skipped'] as const)
      .map((k) => {
        const s = `${k}=${r[k]}`.padEnd(k.length + 5);
        return r[k] > 0 ? p[STATUS_COLOUR[k] ?? 'bold'](s) : s;
      })
      .join(' ') + (r.rescued ? ` rescued=${r.rescued}` : '')
  );
}
