import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WriteBudget } from '../../../daemon/src/redis/write-budget.js';

test('a burst goes out at once, then one write per interval', () => {
  const b = new WriteBudget(1, 3);
  for (let i = 0; i < 3; i++) {
    assert.equal(b.delay(10), 0, `write ${i + 1} of the burst`);
    b.spend(10);
  }
  assert.equal(b.delay(10), 1, 'the fourth waits a whole interval');
  assert.ok(Math.abs(b.delay(10.25) - 0.75) < 1e-9, 'and less as time passes');
  assert.equal(b.delay(11), 0);
  b.spend(11);
  assert.equal(b.delay(11.5), 0.5, 'sustained: one per interval');
});

test('an idle spell refills the burst, never beyond it', () => {
  const b = new WriteBudget(1, 2);
  b.spend(0);
  b.spend(0);
  assert.equal(b.delay(0), 1);
  const later = 1000;
  b.spend(later);
  b.spend(later);
  assert.equal(b.delay(later), 1, 'a long pause buys a burst of 2, not 1000 writes');
});

test('an interval of 0 never holds a write back', () => {
  const b = new WriteBudget(0);
  for (let i = 0; i < 100; i++) b.spend(5);
  assert.equal(b.delay(5), 0);
});
