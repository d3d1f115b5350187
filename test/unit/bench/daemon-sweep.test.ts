import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sweepEntry } from '../../../bench/daemon/sweep.js';
import { summariseDaemon } from '../../../bench/report/daemon.js';

const run = (rate: number, p50: number, drops: number) => ({
  seconds: 3,
  kernel_events: rate * 3,
  kernel_events_per_s: rate,
  applied: rate * 3,
  socket_drops: drops,
  cpu_percent_of_core: rate / 1000,
  cpu_us_per_event: 10,
  context_switches_per_s: rate / 10,
  processing: { p50_us: p50, p99_us: p50 * 10, p999_us: p50 * 100 },
  e2e_us: { samples: 60, missed: 0, p50: 300, p99: 900 },
  redis_equals_kernel: true,
});

test('a sweep entry holds the median of each figure, the drops of all runs and the runs themselves', () => {
  const e = sweepEntry(15000, [run(14900, 100, 0), run(15100, 300, 2), run(15000, 120, 1)]);
  assert.equal(e.target_events_per_s, 15000);
  assert.equal(e.kernel_events_per_s, 15000);
  assert.deepEqual(e.processing, { p50_us: 120, p99_us: 1200, p999_us: 12000 });
  assert.equal(e.socket_drops, 3);
  assert.equal(e.context_switches_per_s, 1500);
  assert.equal(e.runs.length, 3);
  assert.equal(e.redis_equals_kernel, true);
});

test('Redis equal to the kernel holds for a rate only when it held in every run', () => {
  assert.equal(sweepEntry('max', [run(30000, 100, 0), { ...run(31000, 100, 0), redis_equals_kernel: false }]).redis_equals_kernel, false);
});

test('with a sweep, the summary shows each rate as a point labelled by its target, not the paced runs or the soak', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'daemon-sweep-'));
  try {
    const file = path.join(dir, 'daemon-x.json');
    const sweep = [sweepEntry(5000, [run(5010, 80, 0)]), sweepEntry('max', [run(41000, 900, 5)])];
    const soak = {
      ...run(15000, 90, 0),
      seconds: 600,
      rss_mb: { first: 92, last: 92, max: 93 },
      rss_series_mb: [
        [0, 92],
        [10, 93],
      ],
    };
    writeFileSync(
      file,
      JSON.stringify({
        daemon: 'artifact portsyncd-abc.tar.gz',
        min_write_interval_ms: 1,
        sweep,
        runs: [{ paced: run(15000, 100, 0) }],
        soak,
      }),
    );
    const s = summariseDaemon(file);
    assert.equal(s.hasSweep, true);
    assert.equal(s.subject, 'artifact portsyncd-abc.tar.gz, min_write_interval_ms 1');
    assert.deepEqual(
      s.points.map((p) => [p.label, p.eventsPerS, p.p999Us, p.contextSwitchesPerS, p.drops]),
      [
        ['sweep 5000', 5010, 8000, 501, 0],
        ['sweep max', 41000, 90000, 4100, 5],
      ],
    );
    assert.deepEqual(s.soak?.series, [
      [0, 92],
      [10, 93],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
