// Hosts whose IRQ query answers alike share one parse of it; what an earlier task wrote on one
// host (its sysfs overlay) shows on that host only, and a host's own read never changes another's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Facts } from '../../../src/facts/types.js';
import { irqFacts, irqFactsQuery } from '../../../modules/_tuning/irqs.js';
import { matchNames } from '../../../modules/_tuning/interfaces.js';
import { fakeFacts } from '../../helpers/fake-facts.js';

const answer = ['nic Ethernet0', 'nic eth0', 'irq 41 PCI-MSI 41-edge Ethernet0-rx-0', 'aff /proc/irq/41/smp_affinity_list 0-1', ''].join(
  '\n',
);
const hostWith = (written: Record<string, string>): Facts => ({
  ...fakeFacts({ cmds: { [irqFactsQuery().argv.join(' ')]: { rc: 0, stdout: answer, stderr: '' } } }),
  sysfs: (path) => written[path],
});

test("one answer read by several hosts: each sees its own writes, none sees another's", () => {
  const pinned = irqFacts(hostWith({ '/proc/irq/41/smp_affinity_list': '1' }));
  const untouched = irqFacts(hostWith({}));
  assert.deepEqual(pinned.affinity, { '/proc/irq/41/smp_affinity_list': '1' });
  assert.deepEqual(untouched.affinity, { '/proc/irq/41/smp_affinity_list': '0-1' });
  untouched.affinity['/proc/irq/41/smp_affinity_list'] = 'changed by a caller';
  assert.deepEqual(irqFacts(hostWith({})).affinity, { '/proc/irq/41/smp_affinity_list': '0-1' });
  assert.deepEqual(untouched.nics, [
    { name: 'Ethernet0', irqs: [41] },
    { name: 'eth0', irqs: [] },
  ]);
});

test('names match each pattern list alike however often it is asked, and each list by its own patterns', () => {
  const nics = [{ name: 'Ethernet0' }, { name: 'Ethernet4' }, { name: 'eth0' }];
  for (let i = 0; i < 3; i++)
    assert.deepEqual(
      matchNames(nics, 'Ethernet*').map((n) => n.name),
      ['Ethernet0', 'Ethernet4'],
    );
  assert.deepEqual(
    matchNames(nics, ['eth0', 'Ethernet4']).map((n) => n.name),
    ['Ethernet4', 'eth0'],
  );
  assert.deepEqual(
    matchNames(nics, 'Ethernet[0]').map((n) => n.name),
    ['Ethernet0'],
  );
});
