import { test } from 'node:test';
import assert from 'node:assert/strict';
import { haltAfterBatch, runLimited, splitBatches } from '../../../src/exec/batches.js';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i + 1}`);
const sizes = (b: string[][]) => b.map((x) => x.length);

test('serial: none, int, percentage, and a list whose last entry repeats', () => {
  assert.deepEqual(sizes(splitBatches(hosts(7), [])), [7]);
  assert.deepEqual(sizes(splitBatches(hosts(7), [3])), [3, 3, 1]);
  assert.deepEqual(sizes(splitBatches(hosts(10), ['30%'])), [3, 3, 3, 1]);
  assert.deepEqual(sizes(splitBatches(hosts(10), [1, '10%', '50%'])), [1, 1, 5, 3]);
  assert.deepEqual(sizes(splitBatches(hosts(3), [1, '50%'])), [1, 1, 1]);
  assert.deepEqual(sizes(splitBatches(hosts(4), ['1%'])), [1, 1, 1, 1]);
  assert.deepEqual(sizes(splitBatches(hosts(5), ['100%'])), [5]);
  assert.deepEqual(splitBatches(hosts(3), [2]), [['h1', 'h2'], ['h3']]);
  assert.deepEqual(splitBatches([], [2]), []);
});

test('max_fail_percentage is per batch and counts unreachable hosts; exceeding, not reaching, halts', () => {
  const mf = (failed: number, unreachable: number, size: number, max?: number) =>
    haltAfterBatch({ size, failed, unreachable }, { maxFailPercentage: max, anyErrorsFatal: false });
  assert.equal(mf(1, 0, 4, 25), undefined);
  assert.match(mf(1, 1, 4, 25) ?? '', /2 of 4 .*50% > max_fail_percentage 25%/);
  assert.match(mf(0, 1, 1, 0) ?? '', /1 of 1/);
  assert.equal(mf(0, 0, 4, 0), undefined);
  // without a threshold only a batch that failed entirely halts
  assert.equal(mf(2, 0, 3), undefined);
  assert.match(mf(2, 1, 3) ?? '', /every host/);
  assert.match(haltAfterBatch({ size: 10, failed: 0, unreachable: 1 }, { anyErrorsFatal: true }) ?? '', /any_errors_fatal/);
});

test('runLimited keeps at most N in flight and stops starting when told to', async () => {
  let inFlight = 0;
  let peak = 0;
  const done: number[] = [];
  await runLimited([1, 2, 3, 4, 5, 6], 2, async (i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    done.push(i);
    inFlight--;
  });
  assert.equal(peak, 2);
  assert.equal(done.length, 6);
  const started: number[] = [];
  await runLimited(
    [1, 2, 3, 4],
    1,
    async (i) => void started.push(i),
    () => started.length < 2,
  );
  assert.deepEqual(started, [1, 2]);
});
