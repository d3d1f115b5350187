import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../../src/report/html/page.js';
import { diffHtml } from '../../../src/report/html/diff-html.js';
import { buildModel } from '../../../src/report/html/model.js';
import { ReportCollector, teeReporter } from '../../../src/report/html/collect.js';
import { Redactor } from '../../../src/secrets/redact.js';
import { redactingReporter } from '../../../src/secrets/reporter.js';
import type { RunEvent } from '../../../src/report/events.js';
import type { TimedEvent } from '../../../src/report/html/collect.js';

const probes = (rssMb: number) => [
  {
    check: 'event latency p99',
    ok: true,
    value: '<= 1000us (20 events)',
    threshold: '<= 5000us',
    figure: {
      unit: 's',
      buckets: [
        { le: 0.0001, count: 5 },
        { le: 0.001, count: 15 },
        { le: Infinity, count: 0 },
      ],
    },
  },
  { check: 'RSS', ok: rssMb < 100, value: `${rssMb}.0 MB`, threshold: '<= 100 MB', figure: { unit: 'bytes', value: rssMb * 1048576 } },
];

const events: RunEvent[] = [
  { event: 'play_start', play: 'Deploy', hosts: ['s1', 's2', 's3'], check: false },
  { event: 'batch_start', batch: 1, hosts: ['s1'] },
  {
    event: 'result',
    host: 's1',
    task: 'release',
    status: 'changed',
    changes: [{ summary: 'update /etc/x', diff: '--- a/etc/x\n+++ b/etc/x\n@@ -1 +1 @@\n-old\n+new </script><script>alert(1)</script>\n' }],
  },
  { event: 'result', host: 's1', task: 'health: daemon', status: 'ok', changes: [], msg: 'all ok', probes: probes(40) },
  { event: 'batch_start', batch: 2, hosts: ['s2'] },
  {
    event: 'result',
    host: 's2',
    task: 'release',
    status: 'changed',
    changes: [{ summary: 'update /etc/x', diff: '--- a/etc/x\n+++ b/etc/x\n@@ -1 +1 @@\n-old\n+new </script><script>alert(1)</script>\n' }],
  },
  { event: 'result', host: 's2', task: 'health: daemon', status: 'failed', changes: [], msg: 'RSS: 200.0 MB', probes: probes(200) },
  { event: 'result', host: 's2', task: 'rollback', status: 'changed', changes: [], msg: '1 restored, 0 removed' },
  { event: 'result', host: 's2', task: 'health after rollback: daemon', status: 'ok', changes: [], msg: 'ok', probes: probes(41) },
  { event: 'halt', reason: 'play "Deploy" halted after batch 2: health gate; rolled back: s2; not started: s3' },
  {
    event: 'recap',
    hosts: {
      s1: { ok: 1, changed: 1, failed: 0, skipped: 0, unreachable: 0, round_trips: 3 },
      s2: { ok: 1, changed: 2, failed: 1, skipped: 0, unreachable: 0, round_trips: 5 },
      s3: { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0, round_trips: 0 },
    },
  },
];
const timed: TimedEvent[] = events.map((e, i) => ({ t: 1000 + i * 100, e }));

test('report model: batches on the time axis, the failed batch marked, rollbacks, the latest health per switch', () => {
  const m = buildModel(timed, 3000);
  assert.equal(m.plays.length, 1);
  assert.deepEqual(
    m.plays[0]!.batches.map((b) => [b.n, b.start, b.end, b.failed]),
    [
      [1, 1100, 1400, false],
      [2, 1400, 1900, true],
    ],
  );
  assert.deepEqual(
    m.rollbacks.map((r) => r.task),
    ['rollback', 'health after rollback: daemon'],
  );
  assert.equal(m.health.get('s2')!.checks.find((c) => c.check === 'RSS')!.value, '41.0 MB', 'the check after the rollback is the latest');
  assert.equal(m.halts.length, 1);
});

test('report page: one file, nothing external, diff text escaped, chart data inline', () => {
  const html = renderReport({ command: 'deploy.yaml -i inv', started: 1000, finished: 3000, exitCode: 1, events: timed });
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
  assert.doesNotMatch(html, /sourceMappingURL/);
  assert.doesNotMatch(html, /<script>alert\(1\)/, 'diff text is escaped');
  const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);
  assert.deepEqual(data.rss, [
    { host: 's1', mb: 40 },
    { host: 's2', mb: 41 },
  ]);
  assert.deepEqual(
    data.latency.map((b: { count: number }) => b.count),
    [10, 30, 0],
  );
  assert.equal((html.match(/update \/etc\/x/g) ?? []).length, 1, 'the same change on s1 and s2 is one group');
  assert.match(html, /id="exit-code">1</);
});

test('the collector sits behind the redacting boundary: secrets never reach the page', () => {
  const redactor = new Redactor();
  redactor.add('hunter2-secret');
  const collector = new ReportCollector();
  const sink = redactingReporter(teeReporter({ emit: () => {} }, collector), redactor);
  sink.emit({ event: 'play_start', play: 'p', hosts: ['s1'], check: true });
  sink.emit({
    event: 'result',
    host: 's1',
    task: 't',
    status: 'changed',
    changes: [{ summary: 'set password', diff: '--- a/p\n+++ b/p\n@@ -1 +1 @@\n-x\n+hunter2-secret\n' }],
    msg: 'hunter2-secret',
  });
  const html = renderReport({ command: 'x', started: collector.started, finished: Date.now(), exitCode: 0, events: collector.events });
  assert.ok(!html.includes('hunter2'));
  assert.match(html, /\*{8}/);
});

test('a file created from /dev/null is tagged ADDED and a removed one DELETED, never RENAMED', () => {
  const added = diffHtml('--- /dev/null\n+++ b/etc/x.conf\t(new file)\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  assert.match(added, /d2h-added-tag">ADDED/);
  const removed = diffHtml('--- a/etc/x.conf\n+++ /dev/null\n@@ -1 +0,0 @@\n-a\n');
  assert.match(removed, /d2h-deleted-tag">DELETED/);
  assert.doesNotMatch(added + removed, /RENAMED/);
});
