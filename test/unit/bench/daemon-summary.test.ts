import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { latestDaemonResult, summariseDaemon } from '../../../bench/report/daemon.js';

function withFiles(files: Record<string, unknown>, fn: (dir: string) => void) {
  const dir = mkdtempSync(path.join(tmpdir(), 'daemon-summary-'));
  try {
    for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, name), JSON.stringify(body));
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the newest daemon result is picked by its time-stamped name', () => {
  withFiles(
    { 'daemon-2026-11-24T07-04-10.518Z.json': {}, 'daemon-2026-11-24T07-28-46.403Z.json': {}, '2026-11-24-fleet.json': {} },
    (dir) => {
      assert.equal(path.basename(latestDaemonResult(dir)!), 'daemon-2026-11-24T07-28-46.403Z.json');
    },
  );
});

test('the first layout: paced_15k and soak with histogram bounds, absorption and drain lists', () => {
  const body = {
    when: 'w',
    absorption: [{ kernel_rate_per_s: 13153 }, { kernel_rate_per_s: 15064 }],
    drain: [{ events_per_s: 74746 }, { events_per_s: 15482 }],
    latency: { e2e_us: { p50: 235.1, p99: 12687.1 } },
    paced_15k: { events_per_s: 9177, dropped: 0, cpu_percent_of_core: 20.3, processing_histogram_us: { p50_le: 100, p99_le: 10000 } },
    soak: {
      seconds: 60,
      events_per_s: 8999,
      dropped: 0,
      processing_histogram_us: { p50_le: 75, p99_le: 50000 },
      rss_mb: { first: 101.1, last: 100, max: 112.3 },
    },
  };
  withFiles({ 'daemon-a.json': body }, (dir) => {
    const s = summariseDaemon(path.join(dir, 'daemon-a.json'));
    assert.deepEqual(
      s.points.map((p) => [p.label, p.eventsPerS, p.p50Us, p.p99Us, p.drops]),
      [
        ['soak', 8999, 75, 50000, 0],
        ['paced 15K', 9177, 100, 10000, 0],
      ],
    );
    assert.equal(s.maxAbsorbedPerS, 15064);
    assert.equal(s.maxDrainedPerS, 74746);
    assert.deepEqual(s.e2eUs, { p50: 235.1, p99: 12687.1 });
    assert.deepEqual(s.soak?.rssMb, { first: 101.1, last: 100, max: 112.3 });
    assert.equal(s.hasSweep, false);
  });
});

test('the later layout: runs with paced results, medians, a soak with an RSS series', () => {
  const paced = (rate: number) => ({
    kernel_events_per_s: rate,
    socket_drops: 0,
    cpu_percent_of_core: 19.3,
    processing: { p50_us: 104.5, p99_us: 10324.4 },
  });
  const body = {
    runs: [{ paced: paced(15005) }, { paced: paced(14990) }],
    medians: {
      kernel_rate_per_s_1gen: 7105,
      kernel_rate_per_s_2gen: 6569,
      drain_events_per_s: 253541,
      e2e_p50_us: 360,
      e2e_p99_us: 15673.1,
    },
    soak: {
      ...paced(15001),
      seconds: 600,
      rss_mb: { first: 92, last: 92.1, max: 92.4 },
      rss_series_mb: [
        [0, 92],
        [10, 92.1],
      ],
    },
  };
  withFiles({ 'daemon-b.json': body }, (dir) => {
    const s = summariseDaemon(path.join(dir, 'daemon-b.json'));
    assert.deepEqual(
      s.points.map((p) => p.label),
      ['paced run 2', 'soak', 'paced run 1'],
    );
    assert.equal(s.maxAbsorbedPerS, 7105);
    assert.equal(s.maxDrainedPerS, 253541);
    assert.deepEqual(s.soak?.series, [
      [0, 92],
      [10, 92.1],
    ]);
  });
});

test('a sweep, when present, gives one point per rate with its P99.9', () => {
  const body = {
    sweep: [5000, 25000].map((r) => ({ target_events_per_s: r, kernel_events_per_s: r, processing: { p50_us: 1, p99_us: 2, p999_us: 3 } })),
  };
  withFiles({ 'daemon-c.json': body }, (dir) => {
    const s = summariseDaemon(path.join(dir, 'daemon-c.json'));
    assert.equal(s.hasSweep, true);
    assert.deepEqual(
      s.points.map((p) => [p.label, p.p999Us]),
      [
        ['sweep 5000', 3],
        ['sweep 25000', 3],
      ],
    );
  });
});
