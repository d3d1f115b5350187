// Lab commands: a timed-out command ends even when it is stopped (a switch's shutdown SIGSTOPs
// every process in it, and nsenter stops itself with its child).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../lab/exec.js';

test('a command that stops itself is killed at its timeout, and run answers', { timeout: 20_000 }, async () => {
  const result = await run(['sh', '-c', 'kill -STOP $$; echo resumed'], { timeoutMs: 500 });
  assert.equal(result.code, 128);
  assert.equal(result.stdout, '');
});
