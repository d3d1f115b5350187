// Effects are data: the ops of the project's modules declare the live values they change, and a
// later task plans against them through the overlay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Change, Op } from '../../../src/module.js';
import { OverlayFacts } from '../../../src/facts/overlay.js';
import sysctl from '../../../modules/sysctl/index.js';
import systemdUnit from '../../../modules/systemd_unit/index.js';
import { choiceAfterWrite, liveWriteOp, sysctlKeyOf } from '../../../modules/_tuning/live-write.js';
import { fakeContext, fakeFacts } from '../../helpers/fake-facts.js';
import { renderTemplate } from '../modules/support.js';

const apply = (o: OverlayFacts, changes: Change[]) => changes.forEach((c) => c.ops.forEach((op) => o.apply(op)));
const effectsOf = (changes: Change[]) => changes.flatMap((c) => c.ops.flatMap((op: Op) => (op.kind === 'exec' ? (op.effects ?? []) : [])));

test('sysctl: each live write declares its key and value; a later task sees them and writes nothing live', () => {
  const o = new OverlayFacts(fakeFacts({ sysctl: { 'net.core.somaxconn': '128' }, files: {} }));
  const args = {
    file: '/etc/sysctl.d/50-a.conf',
    settings: { 'net.core.somaxconn': '4096' },
    state: 'present',
    apply_live: true,
    missing: 'fail',
  };
  const first = sysctl.diff(o, args as never, fakeContext({ render: renderTemplate }));
  assert.deepEqual(effectsOf(first), [{ kind: 'sysctl', key: 'net.core.somaxconn', value: '4096' }]);
  apply(o, first);
  const second = sysctl.diff(o, { ...args, file: '/etc/sysctl.d/60-b.conf' } as never, fakeContext({ render: renderTemplate }));
  assert.deepEqual(effectsOf(second), [], 'the value is live already');
  assert.equal(second.length, 1, 'its own file is still written');
});

test('systemd_unit: start and enable declare the unit state they leave; a second task is ok', () => {
  const unit = { load: 'loaded', active: 'inactive', sub: 'dead', enabled: 'disabled' };
  const o = new OverlayFacts(fakeFacts({ units: { 'a.service': unit } }));
  const args = { name: 'a.service', state: 'started', enabled: true };
  const first = systemdUnit.diff(o, args as never, fakeContext());
  assert.deepEqual(effectsOf(first), [
    { kind: 'unit', name: 'a.service', enabled: 'enabled' },
    { kind: 'unit', name: 'a.service', active: 'active' },
  ]);
  apply(o, first);
  assert.deepEqual(systemdUnit.diff(o, args as never, fakeContext()), []);
});

test('a live write under /proc/sys is a sysctl effect; other kernel files are sysfs effects with what a read shows', () => {
  assert.equal(sysctlKeyOf('/proc/sys/net/ipv4/conf/eth0.100/rp_filter'), 'net.ipv4.conf.eth0/100.rp_filter');
  assert.equal(sysctlKeyOf('/sys/kernel/mm/transparent_hugepage/enabled'), undefined);
  const op = liveWriteOp([
    { path: '/proc/sys/vm/swappiness', value: '10' },
    { path: '/sys/block/sda/queue/scheduler', value: 'none', reads: choiceAfterWrite('[mq-deadline] none', 'none') },
    { path: '/proc/irq/40/smp_affinity_list', value: '2-3' },
  ]);
  assert.deepEqual(op.kind === 'exec' && op.effects, [
    { kind: 'sysctl', key: 'vm.swappiness', value: '10' },
    { kind: 'sysfs', path: '/sys/block/sda/queue/scheduler', value: 'mq-deadline [none]' },
    { kind: 'sysfs', path: '/proc/irq/40/smp_affinity_list', value: '2-3' },
  ]);
  assert.equal(choiceAfterWrite('always [madvise] never\n', 'never'), 'always madvise [never]');
  assert.equal(choiceAfterWrite('madvise\n', 'never'), 'never', 'a one-word (emulated) knob holds what was written');
});
