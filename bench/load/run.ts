// Load benchmark: the site playbook over a generated 1,000-host, 20-group inventory, in fresh
// processes (median wall time and peak RSS of RUNS runs, after a first run that parses every
// YAML file and keeps the parses, reported apart). Target on 2 cores: <= 1 s, <= 300 MB.
// Each pass runs the worker bundle from its code cache, as the bin runs the CLI's (./bundle.ts).
//   node dist/bench/load/run.js [--hosts 1000] [--groups 20] [--runs 5] [--playbook playbooks/site.yaml]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFleet } from './inventory.js';
import { bundleWorker } from './bundle.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    groups: { type: 'string', default: '20' },
    runs: { type: 'string', default: '5' },
    playbook: { type: 'string', default: join(REPO, 'playbooks/site.yaml') },
  },
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'psd-load-'));
try {
  await bundleWorker(values.playbook!);
  const inventory = join(dir, 'inventory');
  mkdirSync(inventory);
  writeFleet(inventory, Number(values.hosts), Number(values.groups));
  // A cache folder of the benchmark's own: the first pass parses every file (as a first run, or
  // one after the files changed), the others take the parses it kept (as every run after).
  const env = { ...process.env, PSD_CACHE_DIR: join(dir, 'cache') };
  const pass = () => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(REPO, 'dist/bench/load/launch.js'), values.playbook!, inventory], {
      encoding: 'utf8',
      env,
    });
    const wallMs = performance.now() - t0;
    if (r.status !== 0) throw new Error(`worker failed: ${r.stderr}`);
    return { ...JSON.parse(r.stdout.trim().split('\n').at(-1)!), processWallMs: +wallMs.toFixed(1) };
  };
  const first = pass();
  const runs = [];
  for (let i = 0; i < Number(values.runs); i++) runs.push(pass());
  const summary = {
    date: new Date().toISOString(),
    loadavg: loadavg().map((l) => +l.toFixed(2)),
    hosts: runs[0].hosts,
    groups: runs[0].groups,
    tasksPlanned: runs[0].tasksPlanned,
    problems: runs[0].problems,
    medianTotalMs: median(runs.map((r) => r.totalMs)),
    medianProcessWallMs: median(runs.map((r) => r.processWallMs)),
    medianMaxRssMB: median(runs.map((r) => r.maxRssMB)),
    firstRun: first,
    runs,
  };
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  const out = join(REPO, `bench/results/${summary.date.slice(0, 10)}-load.json`);
  writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
  console.log(`${summary.hosts} hosts, ${summary.groups} groups, ${summary.tasksPlanned} tasks planned (${summary.problems} problems):`);
  console.log(
    `median ${summary.medianTotalMs} ms in-process (${summary.medianProcessWallMs} ms with node start-up), peak RSS ${summary.medianMaxRssMB} MB; ${out}`,
  );
  console.log(`first run, every file parsed: ${first.totalMs} ms in-process (${first.processWallMs} ms with node start-up)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
