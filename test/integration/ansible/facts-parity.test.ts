// Ansible's facts as Ansible gathers them: ansible-playbook and portsync-deploy render the same
// template of ansible_* facts (and a when: on them) on this machine, and the files must be the
// same. The facts come from the one gather: a second run is one round trip.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../../unit/inventory/fixture-path.js';
import { ansible, files, haveAnsible, portsync, recap } from './parity.js';

const DIR = fixture('ansible-facts');

/**
 * Runs a fixture playbook under both tools; their files must be the same (and be `names`), and a
 * second portsync-deploy run change nothing in one round trip. Gives the work and our folders.
 */
function sameFilesAsAnsible(t: TestContext, playbook: string, names: string[]): { work: string; ours: string } {
  const work = mkdtempSync(join(tmpdir(), 'facts-parity-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const theirs = mkdtempSync(join(work, 'ansible-'));
  const ours = mkdtempSync(join(work, 'psd-'));
  const args = ['-i', join(DIR, 'hosts.ini'), join(DIR, playbook)];

  const a = ansible(args, theirs, work);
  assert.equal(a.code, 0, a.out);
  const p = portsync(args, ours, work);
  assert.equal(p.code, 0, p.out);
  assert.deepEqual(Object.keys(files(theirs)), names);
  assert.deepEqual(files(ours), files(theirs));

  const again = portsync([...args, '--json'], ours, work);
  assert.deepEqual([again.code, recap(again).hosts.this.changed, recap(again).hosts.this.round_trips], [0, 0, 1], again.out);
  return { work, ours };
}

test(
  'facts: ansible-playbook and portsync-deploy render the same ansible_* facts',
  { skip: !haveAnsible && 'ansible-playbook is not installed' },
  (t) => {
    sameFilesAsAnsible(t, 'site.yml', ['facts.txt']);
  },
);

test(
  'facts in task args, a variable, a set_fact and a handler: the same files as ansible-playbook; a path named by a fact is a located problem',
  { skip: !haveAnsible && 'ansible-playbook is not installed' },
  (t) => {
    const { work, ours } = sameFilesAsAnsible(t, 'args.yml', ['args.txt', 'family.txt', 'handler.txt']);
    writeFileSync(
      join(work, 'named.yml'),
      `- hosts: all
  tasks:
    - name: named by a fact
      copy: { dest: "{{ out }}/{{ ansible_hostname }}.txt", content: "x" }
`,
    );
    const named = portsync(['-i', join(DIR, 'hosts.ini'), join(work, 'named.yml')], ours, work);
    assert.equal(named.code, 3, named.out);
    assert.match(
      named.out,
      /named\.yml:3:7 host this, task "named by a fact": its args use an ansible_\* fact to name what it reads on the host/,
    );
  },
);
