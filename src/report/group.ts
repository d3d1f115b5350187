// Results grouped across hosts: per task, hosts with the same outcome (status, message, warnings,
// change summaries and diffs) form one group. Groups smaller than the task's largest are outliers,
// the hosts that differ from the rest of the fleet (drift, a failed host, a different profile).
import type { TaskResult } from '../exec/results.js';
import type { Recap } from './events.js';

export interface ResultGroup {
  status: TaskResult['status'];
  hosts: string[];
  changes: TaskResult['changes'];
  msg?: string;
  warnings?: string[];
  outlier: boolean;
}

export interface TaskGroups {
  task: string;
  handler: boolean;
  /** Hosts with a result for this task. */
  hosts: number;
  /** The largest group first, then the others in the order they first appeared. */
  groups: ResultGroup[];
}

/** Tasks in the order they first appear; a host reported twice for a task (a handler of two plays) counts in both groups. */
export function groupResults(results: readonly TaskResult[]): TaskGroups[] {
  const tasks = new Map<string, Map<string, ResultGroup>>();
  for (const r of results) {
    const taskKey = `${r.handler ? 'h' : 't'}:${r.task}`;
    let groups = tasks.get(taskKey);
    if (!groups) tasks.set(taskKey, (groups = new Map()));
    const key = JSON.stringify([r.status, r.msg ?? null, r.warnings ?? [], r.changes.map((c) => [c.summary, c.diff ?? null])]);
    const g = groups.get(key);
    if (g) g.hosts.push(r.host);
    else
      groups.set(key, {
        status: r.status,
        hosts: [r.host],
        changes: r.changes,
        ...(r.msg ? { msg: r.msg } : {}),
        ...(r.warnings?.length ? { warnings: r.warnings } : {}),
        outlier: false,
      });
  }
  return [...tasks].map(([key, byOutcome]) => {
    const groups = [...byOutcome.values()];
    const largest = Math.max(...groups.map((g) => g.hosts.length));
    const main = groups.find((g) => g.hosts.length === largest)!;
    for (const g of groups) g.outlier = g.hosts.length < largest;
    return {
      task: key.slice(2),
      handler: key.startsWith('h:'),
      hosts: groups.reduce((n, g) => n + g.hosts.length, 0),
      groups: [main, ...groups.filter((g) => g !== main)],
    };
  });
}

export interface RecapGroup {
  counts: Recap;
  hosts: string[];
}

/** Hosts with identical recap counts together; groups with failures or unreachable hosts first. */
export function groupRecap(hosts: Record<string, Recap>): RecapGroup[] {
  const groups = new Map<string, RecapGroup>();
  for (const [host, r] of Object.entries(hosts)) {
    const counts: Recap = {
      ok: r.ok,
      changed: r.changed,
      failed: r.failed,
      skipped: r.skipped,
      unreachable: r.unreachable,
      ...(r.rescued ? { rescued: r.rescued } : {}),
    };
    const key = JSON.stringify(counts);
    const g = groups.get(key);
    if (g) g.hosts.push(host);
    else groups.set(key, { counts, hosts: [host] });
  }
  const bad = (g: RecapGroup) => (g.counts.failed > 0 || g.counts.unreachable > 0 ? 0 : 1);
  return [...groups.values()].sort((a, b) => bad(a) - bad(b));
}
