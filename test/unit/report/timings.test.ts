// Phase timings: a phase spans from its first start to its last end across hosts; output time adds up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addReportTime, formatTimings, phaseTimings, recordPhase, timePhase } from '../../../src/timings.js';

test('overlapping spans of one phase merge into the widest; report time is summed; order is the pipeline order', async () => {
  recordPhase('gather', 120, 300);
  recordPhase('gather', 100, 250);
  recordPhase('start-up', 0, 60);
  addReportTime(2);
  addReportTime(3);
  await assert.rejects(timePhase('apply', async () => Promise.reject(new Error('boom'))));
  const t = phaseTimings();
  assert.deepEqual(t.gather, { from: 100, to: 300 });
  assert.equal(t.report?.to, 5);
  assert.ok(t.apply, 'a failing step still counts in its phase');
  assert.match(formatTimings(t), /^start-up 0–60 ms · gather 100–300 ms · apply \d+–\d+ ms · report 5 ms in all$/);
});
