import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RunReads, runReadsOf } from '../../../src/plan/run-reads.js';
import type { PlanEnv } from '../../../src/plan/types.js';

test('a read is made once per key; its value, or its error, is what every later ask gets', () => {
  const reads = new RunReads();
  let made = 0;
  const read = (v: string) => () => (made++, v);
  assert.equal(reads.once('a', read('first')), 'first');
  assert.equal(reads.once('a', read('second')), 'first');
  assert.equal(reads.once('b', read('other')), 'other');
  assert.equal(made, 2);

  const missing = new Error('no such file');
  let tried = 0;
  const fail = () => {
    tried++;
    throw missing;
  };
  assert.throws(
    () => reads.once('gone', fail),
    (e) => e === missing,
  );
  assert.throws(
    () => reads.once('gone', () => 'there now'),
    (e) => e === missing,
  );
  assert.equal(tried, 1);
});

test('each plan environment (a run) has reads of its own', () => {
  const env = (): PlanEnv => ({
    registry: { get: () => undefined, validateArgs: () => [], handlers: () => new Map() },
    renderArgs: (a) => a,
    renderTemplate: () => '',
    evalWhen: () => true,
    check: true,
    tags: { only: [], skip: [] },
  });
  const first = env();
  assert.equal(runReadsOf(first), runReadsOf(first));
  runReadsOf(first).once('LATEST', () => 'old');
  assert.equal(
    runReadsOf(env()).once('LATEST', () => 'new'),
    'new',
  );
  assert.equal(
    runReadsOf(first).once('LATEST', () => 'new'),
    'old',
  );
});
