// Roles as Ansible runs them: Debian's ansible-playbook and portsync-deploy run the same playbook
// (test/fixtures/ansible-roles: roles/ beside it, a role from ANSIBLE_ROLES_PATH, meta
// dependencies, a role used twice, import_role with tasks_from, role handlers, every variable
// layer a role adds) on the local machine, each writing under its own folder, and every file
// must come out the same: names, bytes and modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../../unit/inventory/fixture-path.js';
import { ansible, files, haveAnsible, portsync, recap } from './parity.js';

const DIR = fixture('ansible-roles');
const ENV = { ANSIBLE_ROLES_PATH: join(DIR, 'extra-roles') };

const CASES: Record<string, string[]> = {
  'the whole playbook': [],
  '--tags on a role entry (its dependency included), -e above role parameters': ['--tags', 'second', '-e', 'web_greeting=from_extra'],
};

for (const [name, extra] of Object.entries(CASES)) {
  test(
    `roles: ansible-playbook and portsync-deploy write the same files: ${name}`,
    { skip: !haveAnsible && 'ansible-playbook is not installed' },
    (t) => {
      const work = mkdtempSync(join(tmpdir(), 'roles-parity-'));
      t.after(() => rmSync(work, { recursive: true, force: true }));
      const theirs = mkdtempSync(join(work, 'ansible-'));
      const ours = mkdtempSync(join(work, 'psd-'));
      const args = ['-i', join(DIR, 'hosts.ini'), join(DIR, 'site.yml'), ...extra];

      const a = ansible(args, theirs, work, ENV);
      assert.equal(a.code, 0, a.out);
      const p = portsync(args, ours, work, ENV);
      assert.equal(p.code, 0, p.out);
      assert.ok(Object.keys(files(theirs)).length > 0, 'Ansible wrote files');
      assert.deepEqual(files(ours), files(theirs));

      const again = portsync([...args, '--json'], ours, work, ENV);
      assert.equal(again.code, 0, again.out);
      assert.equal(recap(again).hosts.sw1.changed, 0, 'a second run changes nothing');
    },
  );
}
