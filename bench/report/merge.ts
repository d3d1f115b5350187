// Several saved runs as one: the fleet cells of later files are added to (or replace, for the
// same suite, tool, scenario and size) those of the first, e.g. a 100-switch run made on its own.
// A run without daemon figures gets those of the newest daemon result file, unless one is named.
import path from 'node:path';
import { latestDaemonResult, summariseDaemon } from './daemon.js';
import type { BenchResults } from './types.js';

/** daemonFile: the daemon result to show, over any the runs carry. */
export function mergeResults(all: BenchResults[], resultsDir: string, daemonFile?: string): BenchResults {
  const [first, ...rest] = all;
  const merged: BenchResults = structuredClone(first);
  for (const r of rest) {
    if (!r.fleet) continue;
    merged.fleet ??= { cells: [], labUpSeconds: {}, resetSeconds: [], skippedSizes: [] };
    for (const cell of r.fleet.cells) {
      const same = (c: typeof cell) =>
        c.suite === cell.suite && c.tool === cell.tool && c.scenario === cell.scenario && c.hosts === cell.hosts;
      merged.fleet.cells = [...merged.fleet.cells.filter((c) => !same(c)), cell];
    }
    for (const f of r.fleet.floor ?? []) merged.fleet.floor = [...(merged.fleet.floor ?? []).filter((x) => x.hosts !== f.hosts), f];
    Object.assign(merged.fleet.labUpSeconds, r.fleet.labUpSeconds);
    merged.fleet.resetSeconds.push(...r.fleet.resetSeconds);
    merged.settings.fleetSizes = [...new Set([...merged.settings.fleetSizes, ...r.settings.fleetSizes])].sort((a, b) => a - b);
    merged.settings.siteSizes = [...new Set([...merged.settings.siteSizes, ...r.settings.siteSizes])].sort((a, b) => a - b);
    merged.commands[`merged from ${r.name}`] = r.commands['this benchmark'] ?? '';
    merged.errors.push(...r.errors.map((e) => `${r.name}: ${e}`));
    if (r.interrupted) merged.errors.push(`${r.name}: interrupted by ${r.interrupted}`);
  }
  merged.fleet?.cells.sort((a, b) => a.hosts - b.hosts);
  if (merged.interrupted) {
    merged.errors.push(`interrupted by ${merged.interrupted}`);
    delete merged.interrupted;
  }
  const file = daemonFile ?? (merged.daemon ? undefined : latestDaemonResult(resultsDir));
  if (file) {
    const why = daemonFile ? 'as asked' : 'the newest daemon result when this summary was made';
    merged.daemon = {
      command: 'node dist/bench/daemon/run.js (run on its own)',
      exitCode: 0,
      seconds: 0,
      loadavgStart: [],
      summary: summariseDaemon(file),
      notes: [`Daemon figures from ${path.basename(file)}, ${why}.`],
    };
  }
  merged.finishedAt = all
    .map((r) => r.finishedAt)
    .sort()
    .at(-1)!;
  return merged;
}
