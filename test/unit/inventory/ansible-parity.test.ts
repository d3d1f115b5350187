// A real Ansible inventory loads unchanged and resolves to the values Ansible itself computes.
// Runs where Ansible is installed (CI installs Debian's `ansible`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { loadInventory } from '../../../src/inventory/load.js';
import { hostVars } from '../../../src/vars/precedence.js';
import { CONNECTION_ALIASES } from '../../../src/vars/connection-aliases.js';
import { fixture } from './fixture-path.js';

function ansibleInventory(path: string): { _meta: { hostvars: Record<string, Record<string, unknown>> } } | undefined {
  try {
    return JSON.parse(execFileSync('ansible-inventory', ['-i', path, '--list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ANSIBLE_LOCALHOST_WARNING: 'false' } }));
  } catch {
    return undefined;
  }
}

const path = fixture('good', 'dc-small', 'hosts.yaml');
const ansible = ansibleInventory(path);
const TOOL_VARS = new Set(['inventory_hostname', 'inventory_hostname_short', 'group_names', 'groups', ...Object.values(CONNECTION_ALIASES)]);

test('every host resolves to the same variables as ansible-inventory --list', { skip: ansible ? false : 'ansible-inventory is not installed' }, () => {
  const inv = loadInventory(path);
  const theirs = ansible!._meta.hostvars;
  assert.deepEqual([...inv.hosts.keys()].sort(), Object.keys(theirs).sort());
  for (const host of inv.hosts.keys()) {
    const ours = Object.fromEntries(Object.entries(hostVars(inv, host, {})).filter(([k]) => !TOOL_VARS.has(k) || k in (inv.hosts.get(host)!.vars)));
    assert.deepEqual(ours, theirs[host], host);
  }
});
