// Ansible's facts as Ansible gathers them: ansible-playbook and portsync-deploy render the same
// template of ansible_* facts (and a when: on them) on this machine, and the files must be the
// same. The facts come from the one gather: a second run is one round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../../unit/inventory/fixture-path.js';
import { ansible, files, haveAnsible, portsync, recap } from './parity.js';

const DIR = fixture('ansible-facts');

test(
  'facts: ansible-playbook and portsync-deploy render the same ansible_* facts',
  { skip: !haveAnsible && 'ansible-playbook is not installed' },
  (t) => {
    const work = mkdtempSync(join(tmpdir(), 'facts-parity-'));
    t.after(() => rmSync(work, { recursive: true, force: true }));
    const theirs = mkdtempSync(join(work, 'ansible-'));
    const ours = mkdtempSync(join(work, 'psd-'));
    const args = ['-i', join(DIR, 'hosts.ini'), join(DIR, 'site.yml')];

    const a = ansible(args, theirs, work);
    assert.equal(a.code, 0, a.out);
    const p = portsync(args, ours, work);
    assert.equal(p.code, 0, p.out);
    assert.deepEqual(Object.keys(files(theirs)), ['facts.txt']);
    assert.deepEqual(files(ours), files(theirs));

    const again = portsync([...args, '--json'], ours, work);
    assert.deepEqual([again.code, recap(again).hosts.this.changed, recap(again).hosts.this.round_trips], [0, 0, 1], again.out);
  },
);
