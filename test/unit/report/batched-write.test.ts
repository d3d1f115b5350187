import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchedWriter } from '../../../src/report/batched-write.js';

test('the lines of one synchronous burst leave in one write, in order; a later burst in another', async () => {
  const writes: string[] = [];
  const out = batchedWriter((s) => writes.push(s));
  out.write('a\n');
  out.write('b\n');
  assert.deepEqual(writes, []);
  await Promise.resolve();
  assert.deepEqual(writes, ['a\nb\n']);
  out.write('c\n');
  out.flush();
  out.flush();
  assert.deepEqual(writes, ['a\nb\n', 'c\n']);
  await Promise.resolve();
  assert.deepEqual(writes, ['a\nb\n', 'c\n']);
});
