// Writes one run's outputs: the JSON, the markdown summary, the SVG charts, and in full mode
// the latest-results section of bench/README.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { daemonLatencyChart, daemonRssChart, fleetChart } from './charts.js';
import { cpuTable, daemonSection, fleetTable, phaseTable, siteTable, summaryMarkdown } from './markdown.js';
import type { BenchResults } from './types.js';

export function writeOutputs(results: BenchResults, resultsDir: string, readme: string, log: (line: string) => void): void {
  mkdirSync(resultsDir, { recursive: true });
  const base = path.join(resultsDir, results.name);
  const charts = {
    fleet: `${results.name}-time.svg`,
    daemon: `${results.name}-daemon-latency.svg`,
    rss: undefined as string | undefined,
  };
  writeFileSync(path.join(resultsDir, charts.fleet), fleetChart(results));
  writeFileSync(path.join(resultsDir, charts.daemon), daemonLatencyChart(results));
  const rss = daemonRssChart(results);
  if (rss) {
    charts.rss = `${results.name}-daemon-rss.svg`;
    writeFileSync(path.join(resultsDir, charts.rss), rss);
  }
  writeFileSync(`${base}.json`, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(`${base}.md`, summaryMarkdown(results, charts));
  log(`written ${base}.json, ${base}.md and the charts beside them`);
  if (results.mode === 'full' && !results.interrupted) updateReadme(results, charts, readme, log);
}

const START = '<!-- latest-results:start -->';
const END = '<!-- latest-results:end -->';

/** Replaces the latest-results section of bench/README.md with this run's tables. */
function updateReadme(results: BenchResults, charts: { fleet: string; daemon: string }, file: string, log: (line: string) => void): void {
  const text = readFileSync(file, 'utf8');
  const i = text.indexOf(START);
  const j = text.indexOf(END);
  if (i < 0 || j < i) {
    results.errors.push(`bench/README.md has no ${START} … ${END} section; not updated`);
    return;
  }
  const la = results.loadavg.start.map((v) => v.toFixed(1)).join(' / ');
  const section = [
    START,
    `Run ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${results.machine.cpus} CPUs, load average at start ${la}; full summary in [results/${results.name}.md](results/${results.name}.md).`,
    '',
    `**Fleet tuning, portsync-deploy vs Ansible** (median of ${results.settings.runs} runs, seconds):`,
    '',
    fleetTable(results),
    '',
    `![time vs switches](results/${charts.fleet})`,
    '',
    '**playbooks/site.yaml** (portsync-deploy):',
    '',
    siteTable(results),
    '',
    "**Where the time goes** (portsync-deploy, `-vv` timings, ms, median of the runs; each phase from the previous one's last end to its own, hosts overlapping):",
    '',
    phaseTable(results),
    '',
    '**CPU on both sides** (control machine and lab switches, seconds, median of the runs):',
    '',
    cpuTable(results),
    '',
    '**portsyncd**:',
    '',
    daemonSection(results),
    '',
    `![latency vs rate](results/${charts.daemon})`,
    END,
  ].join('\n');
  writeFileSync(file, text.slice(0, i) + section + text.slice(j + END.length));
  log('updated bench/README.md');
}
