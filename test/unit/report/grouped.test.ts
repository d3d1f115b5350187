import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressHosts, hostListText } from '../../../src/report/host-list.js';
import { groupResults, groupRecap } from '../../../src/report/group.js';
import { textReporter } from '../../../src/report/text.js';
import type { RunEvent } from '../../../src/report/events.js';
import type { TaskResult } from '../../../src/exec/results.js';
import { expandList, readGrouped } from '../../helpers/grouped-text.js';

test('host lists: zero-padded and plain runs, strides, single names, other names kept whole', () => {
  const dc1 = [
    ...Array.from({ length: 4 }, (_, i) => `dc1-spine-0${i + 1}`),
    ...Array.from({ length: 16 }, (_, i) => `dc1-leaf-${String(i + 1).padStart(2, '0')}`),
  ];
  assert.equal(hostListText(dc1), 'dc1-spine-[01:04], dc1-leaf-[01:16]');
  assert.deepEqual(compressHosts(['leaf8', 'leaf9', 'leaf10', 'leaf11']), ['leaf[8:11]']);
  assert.deepEqual(compressHosts(['leaf-1', 'leaf-2']), ['leaf-1', 'leaf-2'], 'two names stay names');
  assert.deepEqual(compressHosts(['leaf-3', 'leaf-21', 'leaf-39', 'leaf-57']), ['leaf-[3:57:18]']);
  assert.deepEqual(compressHosts(['r1.dc', 'r2.dc', 'r3.dc', 'edge', 'x[1]']), ['r[1:3].dc', 'edge', 'x[1]']);
  assert.deepEqual(compressHosts(['a01', 'a1', 'a02', 'a2', 'a03', 'a3']), ['a[01:03]', 'a[1:3]'], '01 and 1 are different hosts');
});

test('host lists read back to exactly the same set (random fleets)', () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let round = 0; round < 200; round++) {
    const names = new Set<string>();
    for (let i = rand(60); i >= 0; i--) {
      const n = rand(120);
      names.add([`leaf-${n}`, `leaf${String(n).padStart(3, '0')}`, `sp${n}.dc${rand(3)}`, `odd-${'abc'[rand(3)]}`][rand(4)]!);
    }
    const back = expandList(hostListText([...names]));
    assert.deepEqual(new Set(back), names);
    assert.equal(back.length, names.size);
  }
});

const r = (host: string, status: TaskResult['status'], diff?: string): TaskResult => ({
  host,
  task: 'motd',
  status,
  changes: diff ? [{ summary: 'update /etc/motd', diff }] : [],
});

test('groups: identical outcomes once, the largest first, smaller groups are outliers; equal sizes are not', () => {
  const [t] = groupResults([r('leaf01', 'changed', '-a\n+b\n'), r('leaf02', 'changed', '-x\n+b\n'), r('leaf03', 'changed', '-a\n+b\n')]);
  assert.deepEqual(
    t!.groups.map((g) => [g.hosts, g.outlier]),
    [
      [['leaf01', 'leaf03'], false],
      [['leaf02'], true],
    ],
  );
  const [tie] = groupResults([r('a', 'ok'), r('b', 'changed', '+x\n')]);
  assert.deepEqual(
    tie!.groups.map((g) => g.outlier),
    [false, false],
  );
  const recap = groupRecap({
    a: { ok: 1, changed: 0, failed: 0, skipped: 0, unreachable: 0 },
    b: { ok: 0, changed: 0, failed: 1, skipped: 0, unreachable: 0 },
    c: { ok: 1, changed: 0, failed: 0, skipped: 0, unreachable: 0 },
  });
  assert.deepEqual(
    recap.map((g) => g.hosts),
    [['b'], ['a', 'c']],
    'failures first',
  );
});

test('grouped text: one block per task per batch, outliers marked, reads back to every host', () => {
  let out = '';
  const rep = textReporter({
    write: (s) => void (out += s),
    writeErr: (s) => void (out += s),
    colour: false,
    live: false,
    diff: true,
    verbose: true,
  });
  const results = [
    r('leaf01', 'changed', '--- a\n+++ b\n-old\n+new\n'),
    r('leaf02', 'changed', '--- a\n+++ b\n-old\n+new\n'),
    r('leaf03', 'changed', '--- a\n+++ b\n-hand edit\n+new\n'),
    { ...r('leaf04', 'failed'), msg: 'disk full', warnings: ['w1'] },
  ];
  const stream: RunEvent[] = [
    { event: 'play_start', play: 'site', hosts: ['leaf01', 'leaf02', 'leaf03', 'leaf04'], check: true },
    { event: 'task_start', task: 'motd' },
    ...results.map((x) => ({ event: 'result' as const, ...x })),
    ...['leaf01', 'leaf02', 'leaf03', 'leaf04'].map((host) => ({ event: 'host_stats' as const, host, roundTrips: 1, bytesUploaded: 0 })),
    {
      event: 'recap',
      hosts: Object.fromEntries(
        results.map((x) => [
          x.host,
          {
            ok: 0,
            changed: x.status === 'changed' ? 1 : 0,
            failed: x.status === 'failed' ? 1 : 0,
            skipped: 0,
            unreachable: 0,
            round_trips: 1,
          },
        ]),
      ),
    },
  ];
  for (const e of stream) rep.emit(e);
  assert.equal(out.match(/TASK \[motd\]/g)?.length, 1);
  assert.match(out, /^changed: leaf01, leaf02 \(2 hosts\)$/m);
  assert.match(out, /^changed: leaf03 \(1 host, outlier\)$/m);
  assert.match(out, /^failed: leaf04 \(1 host, outlier\) \(disk full\)$/m);
  assert.match(out, /^round trips: 1, 0 bytes uploaded: leaf\[01:04\] \(4 hosts\)$/m);
  assert.match(
    out,
    /PLAY RECAP \(4 hosts\)\nok=0 +changed=0 +unreachable=0 +failed=1 +skipped=0 +: leaf04 \(1 host\)\nok=0 +changed=1 .*: leaf\[01:03\] \(3 hosts\)/,
  );
  const back = readGrouped(out);
  assert.deepEqual(
    back.results
      .map((b) => ({
        host: b.host,
        task: b.task,
        status: b.status,
        changes: b.changes,
        ...(b.msg ? { msg: b.msg } : {}),
        ...(b.warnings.length ? { warnings: b.warnings } : {}),
      }))
      .sort((a, b) => a.host.localeCompare(b.host)),
    results,
  );
  assert.equal(back.recap.get('leaf04')!.failed, 1);
});
