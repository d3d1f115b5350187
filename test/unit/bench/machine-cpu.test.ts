// The machine's busy and idle core-seconds from /proc/stat, as the fleet benchmark records them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuBetween, machineCpu, parseProcStat } from '../../../bench/fleet/machine-cpu.js';

// user nice system idle iowait irq softirq steal guest guest_nice
const STAT = 'cpu  1000 50 300 8000 200 10 40 0 70 5\ncpu0 500 25 150 4000 100 5 20 0 35 2\n';

test('busy counts every state but idle and iowait, and guest time only once', () => {
  assert.deepEqual(parseProcStat(STAT, 100), { busy: 14, idle: 82 });
});

test('a stat without its "cpu" line is an error, not zero', () => {
  assert.throws(() => parseProcStat('intr 1 2 3\n', 100), /no "cpu" line/);
});

test('the change between two readings', () => {
  assert.deepEqual(cpuBetween({ busy: 14, idle: 82 }, { busy: 15.5, idle: 82.25 }), { busy: 1.5, idle: 0.25 });
});

test("this machine's reading grows with the time its cores spend", () => {
  const before = machineCpu();
  assert.ok(before, '/proc/stat and getconf are there on Linux');
  const until = Date.now() + 50;
  while (Date.now() < until); // keep one core busy for 50 ms
  const after = machineCpu()!;
  const d = cpuBetween(before, after);
  assert.ok(d.busy >= 0.03, `busy grew by ${d.busy} s`);
  assert.ok(d.busy + d.idle >= 0.04, 'the cores together spent at least the wall time');
});
