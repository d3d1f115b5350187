import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkCounts, freeSlot, planLab, portNames, portPeer, spineCount } from '../../../lab/topology.js';

describe('lab topology', () => {
  it('makes a quarter of the switches spines, and at least one from two switches on', () => {
    assert.deepEqual([1, 2, 3, 8, 100].map(spineCount), [0, 1, 1, 2, 25]);
  });

  it('names, addresses and interfaces follow the documented plan', () => {
    const plan = planLab('e2e', 3, 3);
    assert.equal(plan.bridge, 'psbr-e2e');
    assert.equal(plan.bridgeAddress, '10.213.3.1');
    assert.equal(plan.subnet, '10.213.3.0/24');
    assert.deepEqual(plan.switches, [
      { name: 'spine1', group: 'spine', address: '10.213.3.2', netns: 'e2e-spine1', hostVeth: 'pse2e-s1' },
      { name: 'leaf1', group: 'leaf', address: '10.213.3.62', netns: 'e2e-leaf1', hostVeth: 'pse2e-l1' },
      { name: 'leaf2', group: 'leaf', address: '10.213.3.63', netns: 'e2e-leaf2', hostVeth: 'pse2e-l2' },
    ]);
  });

  it('keeps a switch address stable when the lab grows', () => {
    const small = planLab('lab', 0, 3).switches.find((s) => s.name === 'leaf1');
    const big = planLab('lab', 0, 100).switches.find((s) => s.name === 'leaf1');
    assert.equal(small?.address, big?.address);
  });

  it('fits the largest lab: unique addresses inside the /24 and interface names within 15 characters', () => {
    const plan = planLab('abcdefgh', 255, 240);
    const addresses = plan.switches.map((s) => s.address);
    assert.equal(new Set(addresses).size, 240);
    for (const a of addresses) {
      const host = Number(a.split('.')[3]);
      assert.ok(host >= 2 && host <= 254, a);
    }
    for (const s of plan.switches) assert.ok(s.hostVeth.length <= 15, s.hostVeth);
    assert.ok(plan.bridge.length <= 15);
  });

  it('rejects lab names that would not fit interface names, and counts out of range', () => {
    assert.throws(() => planLab('Lab', 0, 1), /lab name "Lab" is not allowed/);
    assert.throws(() => planLab('toolongname', 0, 1), /not allowed/);
    assert.throws(() => checkCounts(0, 8), /--switches 0 is out of range/);
    assert.throws(() => checkCounts(241, 8), /--switches 241/);
    assert.throws(() => checkCounts(3, 65), /--ports 65/);
    assert.doesNotThrow(() => checkCounts(240, 64));
  });

  it('names ports as SONiC does, with peers that do not look like ports', () => {
    assert.deepEqual(portNames(3), ['Ethernet0', 'Ethernet4', 'Ethernet8']);
    assert.equal(portPeer('Ethernet12'), 'wire12');
    assert.ok(!portPeer('Ethernet0').startsWith('Ethernet'));
  });

  it('gives a new lab the lowest free subnet slot', () => {
    assert.equal(freeSlot([]), 0);
    assert.equal(freeSlot([0, 1, 3]), 2);
    assert.throws(() => freeSlot(Array.from({ length: 256 }, (_, i) => i)), /in use/);
  });
});
