import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAnsibleConfig } from '../../../src/cli/ansible-cfg.js';

test('roles_path: ":"-separated in ansible.cfg, relative to the file; ANSIBLE_ROLES_PATH beats it, relative to the current folder', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-roles-path-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\nroles_path = roles:~/shared-roles:/opt/roles\n');
  const env = { ANSIBLE_CONFIG: join(dir, 'ansible.cfg') };
  assert.deepEqual(loadAnsibleConfig(env, '/', '/home/op').rolesPath, [join(dir, 'roles'), '/home/op/shared-roles', '/opt/roles']);
  assert.deepEqual(loadAnsibleConfig({ ...env, ANSIBLE_ROLES_PATH: 'a:/b' }, '/work', '/home/op').rolesPath, ['/work/a', '/b']);
});
