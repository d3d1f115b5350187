import { test } from 'node:test';
import assert from 'node:assert/strict';
import ioScheduler from '../../../modules/io_scheduler/index.js';
import { UDEV_RULE } from '../../../modules/io_scheduler/diff.js';
import { applyChanges, factsFor, planWith, tuningContext, type TuningFacts } from './tuning-support.js';

const host = (): TuningFacts => ({
  blockDevices: [
    { name: 'sda', schedulers: ['mq-deadline', 'kyber', 'bfq', 'none'], current: 'mq-deadline' },
    { name: 'sdb', schedulers: ['mq-deadline', 'none'], current: 'none' },
    { name: 'nvme0n1', schedulers: ['none', 'mq-deadline'], current: 'none' },
    { name: 'loop0', schedulers: ['none'], current: 'none' },
    { name: 'zram0', schedulers: [], current: '' },
  ],
});

test('live write for drifted devices, udev rule per pattern for whole disks', () => {
  const a = { devices: ['sd*', 'nvme*'], scheduler: 'none' };
  const r = planWith(ioScheduler, host(), a);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.changes.map((c) => c.summary),
    ['I/O scheduler of sda -> none', `create ${UDEV_RULE}`],
  );
  assert.equal(r.changes[0].diff, '/sys/block/sda/queue/scheduler: mq-deadline -> none\n');
  const rule = r.changes[1].ops[0];
  assert.ok(rule.kind === 'put');
  assert.match(
    rule.content,
    /^ACTION=="add\|change", SUBSYSTEM=="block", ENV\{DEVTYPE\}=="disk", KERNEL=="sd\*", ATTR\{queue\/scheduler\}="none"$/m,
  );
  assert.match(rule.content, /KERNEL=="nvme\*", ATTR\{queue\/scheduler\}="none"/);
  const applied = applyChanges(host(), r.changes);
  assert.deepEqual(planWith(ioScheduler, applied, a).changes, []);
  const states = ioScheduler.inspect!(factsFor(ioScheduler, r.args, applied), r.args, tuningContext());
  assert.deepEqual(
    states.map((s) => [s.setting, s.live, s.persisted, s.ok]),
    [
      ['/sys/block/sda/queue/scheduler', 'none', 'none', true],
      ['/sys/block/sdb/queue/scheduler', 'none', 'none', true],
      ['/sys/block/nvme0n1/queue/scheduler', 'none', 'none', true],
    ],
  );
});

test('a scheduler a matched device does not offer is a plan-time error naming host and device', () => {
  const r = planWith(ioScheduler, host(), { devices: 'sd*', scheduler: 'kyber' });
  assert.deepEqual(r.changes, []);
  assert.deepEqual(
    r.errors.map((e) => [e.message, e.argPath]),
    [['block device sdb does not offer the "kyber" scheduler (offers: mq-deadline, none)', ['scheduler']]],
  );
});

test('devices without a scheduler are skipped; nothing matched warns and only writes the rule', () => {
  const z = planWith(ioScheduler, host(), { devices: 'zram*', scheduler: 'none' });
  assert.match(z.warnings[0], /no block device matches zram\*/);
  assert.deepEqual(
    z.changes.map((c) => c.summary),
    [`create ${UDEV_RULE}`],
  );
});
