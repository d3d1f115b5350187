import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonReporter } from '../../../src/report/json.js';
import { textReporter } from '../../../src/report/text.js';
import { useColour } from '../../../src/report/colour.js';
import type { RunEvent } from '../../../src/report/events.js';

const diff = '--- a/etc/motd\n+++ b/etc/motd\n@@ -1 +1 @@\n-old\n+new\n';
const stream: RunEvent[] = [
  { event: 'play_start', play: 'site', hosts: ['leaf01'], check: false },
  { event: 'plan_progress', done: 1, total: 1, failed: 0, unreachable: 0 },
  { event: 'batch_start', batch: 1, hosts: ['leaf01'] },
  { event: 'progress', batch: 1, done: 0, total: 1, changed: 0, failed: 0, unreachable: 0 },
  { event: 'task_start', task: 'motd' },
  {
    event: 'result',
    host: 'leaf01',
    task: 'motd',
    status: 'changed',
    changes: [{ summary: 'update /etc/motd', diff }],
    warnings: ['later file overrides'],
  },
  { event: 'progress', batch: 1, done: 1, total: 1, changed: 1, failed: 0, unreachable: 0 },
  { event: 'host_stats', host: 'leaf01', roundTrips: 3, bytesUploaded: 0 },
  { event: 'recap', hosts: { leaf01: { ok: 0, changed: 1, failed: 0, skipped: 0, unreachable: 0, round_trips: 2 } } },
];

function text(opts: { colour: boolean; live: boolean; diff: boolean; verbose: boolean; perHost?: boolean }) {
  let out = '';
  const r = textReporter({ ...opts, write: (s) => void (out += s), writeErr: (s) => void (out += s) });
  for (const e of stream) r.emit(e);
  return out;
}

test('json: one object per line, recap last, no progress lines', () => {
  let out = '';
  const r = jsonReporter((s) => void (out += s));
  for (const e of stream) r.emit(e);
  const lines = out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.map((l) => l.event),
    ['play_start', 'batch_start', 'task_start', 'result', 'host_stats', 'recap'],
  );
  assert.equal(lines[3].changes[0].diff, diff);
  assert.deepEqual(lines.at(-1), stream.at(-1));
});

test('text per host without a TTY: plain lines, diffs only with --diff, a recap table', () => {
  const plain = text({ colour: false, live: false, diff: true, verbose: false, perHost: true });
  assert.doesNotMatch(plain, /\x1b/);
  assert.match(plain, /changed: \[leaf01\] motd\n/);
  assert.match(plain, /\[WARNING\] later file overrides/);
  assert.match(plain, /^ {4}-old$/m);
  assert.match(plain, /PLAY RECAP\nleaf01 : ok=0 +changed=1 /);
  assert.doesNotMatch(plain, /round trips|batch 1: /);
  assert.doesNotMatch(plain, /TASK \[motd\]/, 'while applying, results come per host: no task headers');
  assert.doesNotMatch(text({ colour: false, live: false, diff: false, verbose: false, perHost: true }), /-old/);
  assert.match(text({ colour: false, live: false, diff: false, verbose: true, perHost: true }), /\[leaf01\] 3 round trips/);
});

test('text on a TTY: coloured diff and a progress line redrawn in place', () => {
  const tty = text({ colour: true, live: true, diff: true, verbose: false });
  assert.match(tty, /\x1b\[31m-old\x1b\[0m/);
  assert.match(tty, /\x1b\[32m\+new\x1b\[0m/);
  assert.match(tty, /\x1b\[36m@@ -1 \+1 @@\x1b\[0m/);
  assert.match(tty, /batch 1: 1\/1 done, .*1 changed.*0 failed.*0 unreachable/);
  assert.match(tty, /\r\x1b\[K/, 'the progress line is cleared before other output');
  assert.match(tty, /planning: 1\/1 hosts/);
});

test('colour only on a TTY and never with NO_COLOR', () => {
  assert.equal(useColour({ isTTY: true }, {}), true);
  assert.equal(useColour({ isTTY: false }, {}), false);
  assert.equal(useColour({ isTTY: true }, { NO_COLOR: '1' }), false);
});
