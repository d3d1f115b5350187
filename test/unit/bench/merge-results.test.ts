import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mergeResults } from '../../../bench/report/merge.js';
import type { BenchResults } from '../../../bench/report/types.js';

const results = (daemonFile?: string): BenchResults => ({
  name: 'fleet',
  mode: 'full',
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: '2026-01-01T01:00:00Z',
  machine: { cpus: 2, memTotalMb: 4096, kernel: 'k', node: 'v20', ansible: '2.14' },
  loadavg: { start: [0, 0, 0], end: [0, 0, 0] },
  settings: { runs: 1, lab: 'fleet', fleetSizes: [], siteSizes: [], daemonArgs: [] },
  commands: {},
  errors: [],
  ...(daemonFile
    ? {
        daemon: {
          command: 'c',
          exitCode: 0,
          seconds: 1,
          loadavgStart: [],
          summary: { file: daemonFile, points: [], hasSweep: false },
          notes: [],
        },
      }
    : {}),
});

test('the daemon figures come from the named result, else those the run carries, else the newest result', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'merge-'));
  try {
    for (const name of ['daemon-2026-01-01T00-00-00Z.json', 'daemon-2026-01-02T00-00-00Z.json'])
      writeFileSync(path.join(dir, name), JSON.stringify({ when: name }));
    const older = path.join(dir, 'daemon-2026-01-01T00-00-00Z.json');
    assert.equal(mergeResults([results()], dir).daemon?.summary?.file, path.join(dir, 'daemon-2026-01-02T00-00-00Z.json'));
    assert.equal(mergeResults([results('carried.json')], dir).daemon?.summary?.file, 'carried.json');
    const named = mergeResults([results('carried.json')], dir, older).daemon!;
    assert.equal(named.summary?.file, older);
    assert.match(named.notes[0]!, /daemon-2026-01-01T00-00-00Z\.json, as asked/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
