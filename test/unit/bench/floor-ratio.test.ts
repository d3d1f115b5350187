// The fleet table sets each portsync-deploy time beside the SSH floor of the same lab size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuTable, fleetTable } from '../../../bench/report/markdown.js';
import type { Cell } from '../../../bench/fleet/suite.js';
import type { BenchResults } from '../../../bench/report/types.js';

const cell = (tool: Cell['tool'], scenario: Cell['scenario'], hosts: number, seconds: number): Cell => ({
  suite: 'fleet',
  tool,
  scenario,
  hosts,
  runs: [],
  unexpectedExits: 0,
  median: { seconds, cpuSeconds: 0, maxRssMb: 0, treePssPeakMb: 0 },
});

const results = (floor: { hosts: number; median: number }[]): BenchResults => ({
  name: 'fleet',
  mode: 'full',
  startedAt: '',
  finishedAt: '',
  machine: { cpus: 2, memTotalMb: 4096, kernel: 'k', node: 'v20', ansible: '2.14' },
  loadavg: { start: [0, 0, 0], end: [0, 0, 0] },
  settings: { runs: 0, lab: 'fleet', fleetSizes: [10], siteSizes: [], daemonArgs: [] },
  commands: {},
  errors: [],
  fleet: {
    cells: [
      cell('portsync-deploy', 'nochange', 10, 0.6),
      cell('ansible', 'nochange', 10, 12),
      cell('portsync-deploy-native', 'nochange', 10, 0.5),
    ],
    floor: floor.map((f) => ({ ...f, runs: [f.median] })),
    labUpSeconds: {},
    resetSeconds: [],
    skippedSizes: [],
  },
});

test('a size with a measured floor shows it and portsync-deploy over it', () => {
  const row = fleetTable(results([{ hosts: 10, median: 0.4 }]))
    .split('\n')
    .find((l) => l.includes('no-change'))!;
  assert.match(row, /\| 10 \| no-change re-run \| 0\.40 \| 0\.60 \| 1\.50× \| 12\.00 \| 20\.0× \|/);
  assert.match(row, /\| 0\.50 \|$/, 'the native playbook in its own column');
});

test('a size without a floor says so instead of inventing a ratio', () => {
  const row = fleetTable(results([{ hosts: 50, median: 1 }]))
    .split('\n')
    .find((l) => l.includes('no-change'))!;
  assert.match(row, /\| 10 \| no-change re-run \| – \| 0\.60 \| – \|/);
});

test("the CPU table sets a run's control and switch CPU beside the floor's, as a bound over the cores", () => {
  const r = results([{ hosts: 10, median: 0.4 }]);
  r.fleet!.floor![0].labCpuSeconds = 0.05;
  r.fleet!.floor![0].controlCpuSeconds = 0.35;
  r.fleet!.floor![0].idleCoreSeconds = 0.2;
  r.fleet!.cells[0].median = {
    ...r.fleet!.cells[0].median,
    cpuSeconds: 0.4,
    labCpuSeconds: 0.4,
    idleCoreSeconds: 0.1,
    otherCpuSeconds: 0.05,
  };
  const rows = cpuTable(r).split('\n');
  assert.equal(rows.length, 3, 'Ansible and cells without switch CPU are left out');
  // (0.4 + 0.4) ÷ (0.35 + 0.05) = 2×; (0.4 + 0.4) ÷ 2 cores ÷ 0.4 s = 1×; 0.4 ÷ 2 ÷ 0.4 = 0.5×.
  assert.match(
    rows[2],
    /\| fleet \| 10 \| no-change re-run \| 0\.60 \| 1\.50× \| 0\.40 \| 0\.40 \| 0\.40 \/ 0\.35 \/ 0\.05 \| 2\.00× \| 1\.00× \| 0\.50× \| 0\.10 \/ 0\.20 \| 0\.05 \|$/,
  );
});

test('a floor without its own CPU figure leaves the CPU ratio out', () => {
  const r = results([{ hosts: 10, median: 0.4 }]);
  r.fleet!.floor![0].labCpuSeconds = 0.05;
  r.fleet!.cells[0].median = { ...r.fleet!.cells[0].median, cpuSeconds: 0.5, labCpuSeconds: 0.3 };
  assert.match(cpuTable(r).split('\n')[2], /\| 0\.40 \/ – \/ 0\.05 \| – \| 1\.00× \|/);
});

test('a run without switch CPU figures says so', () => {
  assert.match(cpuTable(results([{ hosts: 10, median: 0.4 }])), /No switch CPU figures/);
});
