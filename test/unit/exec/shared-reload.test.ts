// The apply script runs a reload several ops share (SharedReload) once where it can: run against a
// stand-in `systemctl` that logs each call, so the order and count of reloads are what is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ScriptStep } from '../../../src/exec/apply-script.js';
import type { Op } from '../../../src/module.js';
import { fakeSystemctl } from '../../helpers/fake-systemctl.js';

const RELOAD = ['systemctl', 'daemon-reload'];
const reload: Op = { kind: 'exec', argv: RELOAD, live: true, reload: { argv: RELOAD, role: 'is' } };
const enable: Op = { kind: 'exec', argv: ['systemctl', '--no-reload', 'enable', 'u'], live: true, reload: { argv: RELOAD, role: 'owes' } };
const start: Op = { kind: 'exec', argv: ['systemctl', 'start', 'u'], live: true, reload: { argv: RELOAD, role: 'keeps' } };
/** A command that says nothing of the reload: it may have changed what the reload reads. */
const other: Op = { kind: 'exec', argv: ['systemctl', 'status', 'u'], live: true };

const task = (summary: string, op: Op, sets: string[] = []): ScriptStep => ({ change: { summary, ops: [op] }, sets });
const handler = (summary: string, op: Op, flag: string): ScriptStep => ({
  change: { summary, ops: [op], changed: false },
  sets: [],
  when: [flag],
});

test('an enable owes its reload to the handler: one reload, after the enable and before the command after it', async (t) => {
  const fake = fakeSystemctl(t);
  const out = await fake.run([
    task('unit file', { kind: 'put', path: join(fake.dir, 'u.service'), content: '[Unit]\n' }, ['N0']),
    task('enable u', enable),
    handler('systemctl daemon-reload', reload, 'N0'),
    task('status u', other),
  ]);
  assert.deepEqual(
    out.map((o) => o.status),
    ['ok', 'ok', 'ok', 'ok'],
  );
  assert.deepEqual(fake.calls(), ['--no-reload enable u', 'daemon-reload', 'status u']);
});

test('an owed reload runs before a start; the handler after it is not run again when only starts came between', async (t) => {
  const fake = fakeSystemctl(t);
  const out = await fake.run([
    task('unit file', { kind: 'put', path: join(fake.dir, 'u.service'), content: '[Unit]\n' }, ['N0']),
    task('enable u', enable),
    task('start u', start),
    handler('systemctl daemon-reload', reload, 'N0'),
  ]);
  assert.deepEqual(
    out.map((o) => o.status),
    ['ok', 'ok', 'ok', 'ok'],
  );
  assert.deepEqual(fake.calls(), ['--no-reload enable u', 'daemon-reload', 'start u']);
});

test('a reload asked again runs again after a file was written or a command ran, not after a start alone', async (t) => {
  const fake = fakeSystemctl(t);
  await fake.run([
    task('first', reload),
    task('unit file', { kind: 'put', path: join(fake.dir, 'u.service'), content: '[Unit]\n' }),
    task('after the file', reload),
    task('start u', start),
    task('after the start', reload),
    task('status u', other),
    task('after the command', reload),
  ]);
  assert.deepEqual(fake.calls(), ['daemon-reload', 'daemon-reload', 'start u', 'status u', 'daemon-reload']);
});

test('an owed reload runs at the end when the handlers do not; if it fails, the step that owed it fails', async (t) => {
  const fake = fakeSystemctl(t);
  const steps = [
    task('unit file', { kind: 'put', path: join(fake.dir, 'u.service'), content: '[Unit]\n' }, ['N0']),
    task('enable u', enable),
    task('fails', { kind: 'exec', argv: ['false'] }),
    handler('systemctl daemon-reload', reload, 'N0'),
  ];
  const out = await fake.run(steps, false);
  assert.deepEqual(
    out.map((o) => o.status),
    ['ok', 'ok', 'failed', 'not-run'],
  );
  assert.deepEqual(fake.calls(), ['--no-reload enable u', 'daemon-reload']);

  fake.failReloads();
  const failed = await fake.run(steps, false);
  assert.deepEqual(
    failed.map((o) => o.status),
    ['ok', 'failed', 'failed', 'not-run'],
  );
  assert.match(failed[1]!.error ?? '', /Failed to reload daemon/);
});

test('on an offline root the live reload ops are skipped and nothing is owed', async (t) => {
  const fake = fakeSystemctl(t);
  const out = await fake.run([task('enable u', enable), handler('systemctl daemon-reload', reload, 'N0')], true, true);
  assert.deepEqual(
    out.map((o) => [o.status, o.skippedLive]),
    [
      ['ok', 1],
      ['not-run', 0],
    ],
  );
  assert.deepEqual(fake.calls(), []);
});
