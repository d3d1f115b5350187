// A timed run waits for the lab's switches to go quiet, and no longer than its bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settle, type SettleOptions } from '../../../bench/fleet/settle.js';

const FAST: SettleOptions = { quietPerSwitch: 0.004, windowMs: 10, windows: 2, maxMs: 2000 };

/** A lab counter that grows `busy` seconds per read for `busyReads` reads, then not at all. */
function counter(busyReads: number, busy = 1): () => number {
  let reads = 0;
  let cpu = 0;
  return () => {
    if (reads++ < busyReads) cpu += busy;
    return cpu;
  };
}

test('a busy lab is waited for until two windows in a row are quiet', async () => {
  const reads: number[] = [];
  const busy = counter(6);
  await settle(
    () => {
      const v = busy();
      reads.push(v);
      return v;
    },
    10,
    FAST,
  );
  // 6 busy reads (the first is the baseline), then the 2 quiet windows.
  assert.equal(reads.length, 8);
});

test('a quiet lab is waited for two windows only', async () => {
  let reads = 0;
  await settle(() => (reads++, 5), 10, FAST);
  assert.equal(reads, 3);
});

test('the threshold scales with the number of switches', async () => {
  // 0.0003 s per 10 ms window is 0.03 cores: busy for 3 switches, quiet for 10.
  let reads = 0;
  const slowCounter = () => reads++ * 0.0003;
  await settle(slowCounter, 10, FAST);
  assert.equal(reads, 3, 'quiet for 10 switches');
  reads = 0;
  const waited = await settle(slowCounter, 3, { ...FAST, maxMs: 100 });
  assert.ok(reads > 3 && waited >= 0.1 && waited < 1, `busy for 3 switches until the bound (${reads} reads, ${waited} s)`);
});

test('a lab whose CPU cannot be read is not waited for', async () => {
  assert.ok((await settle(() => undefined, 10, FAST)) < 0.01);
});
