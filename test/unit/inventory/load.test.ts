import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inventoryFiles, loadInventory } from '../../../src/inventory/load.js';
import { ValidationError } from '../../../src/errors.js';
import { posOf } from '../../../src/source-map.js';
import { fixture, repoRoot } from './fixture-path.js';

function tempInventory(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'inv-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ValidationError, String(e));
    return e.problems;
  }
  assert.fail('expected a ValidationError');
}

test('loads groups, nested children, host ranges and ungrouped hosts in inventory order', () => {
  const inv = loadInventory(fixture('good', 'dc-small'));
  assert.deepEqual([...inv.hosts.keys()], ['mgmt01', 'spine01', 'spine02', 'leaf01', 'leaf02', 'leaf03', 'leaf04']);
  assert.deepEqual(inv.groups.get('leaf')!.children, ['leaf_edge', 'leaf_core']);
  assert.deepEqual(inv.groups.get('leaf_edge')!.parents, ['leaf']);
  assert.deepEqual(inv.groups.get('ungrouped')!.hosts, ['mgmt01']);
  assert.deepEqual(inv.hosts.get('leaf04')!.groups, ['all', 'aa_site', 'leaf', 'zz_site', 'leaf_core']);
});

test('group_vars files override inventory vars; folders merge in lexical order', () => {
  const inv = loadInventory(fixture('good', 'dc-small'));
  assert.equal(inv.groups.get('all')!.vars.level, 'all');
  assert.equal(inv.groups.get('leaf')!.vars.level, 'leaf');
  assert.equal(inv.groups.get('leaf_edge')!.vars.level, 'leaf_edge_b');
  assert.equal(inv.groups.get('leaf_edge')!.vars.edge_a, 1);
  assert.equal(inv.hosts.get('leaf01')!.vars.level, 'host');
});

test('every var keeps the file:line it came from', () => {
  const inv = loadInventory(fixture('good', 'dc-small'));
  const p = posOf(inv.groups.get('leaf_edge')!.vars, 'level')!;
  assert.match(p.file, /group_vars\/leaf_edge\/20-b\.yaml$/);
  assert.equal(p.line, 1);
  const h = posOf(inv.hosts.get('spine01')!.vars, 'ansible_host')!;
  assert.match(h.file, /hosts\.yaml$/);
  assert.equal(h.line, 12);
});

test('an inventory file path works like its folder', () => {
  const inv = loadInventory(fixture('good', 'dc-small', 'hosts.yaml'));
  assert.equal(inv.hosts.get('leaf01')!.vars.level, 'host');
});

test('every schema problem is reported with file:line, not just the first', () => {
  const dir = tempInventory({
    'hosts.yml': 'all:\n  children:\n    leaf:\n      host:\n        leaf01:\n    spine:\n      vars: [1, 2]\n',
  });
  try {
    const problems = problemsOf(() => loadInventory(dir));
    assert.equal(problems.length, 2, problems.map((p) => p.message).join('\n'));
    assert.match(problems[0].message, /unknown key "host"/);
    assert.match(problems[0].hint!, /hosts/);
    assert.equal(problems[0].pos!.line, 4);
    assert.match(problems[1].message, /expected mapping or nothing, got list/);
    assert.equal(problems[1].pos!.line, 7);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('duplicate keys are errors naming both positions', () => {
  const dir = tempInventory({ 'hosts.yaml': 'all:\n  hosts:\n    a:\n    a:\n' });
  try {
    const [p] = problemsOf(() => loadInventory(dir));
    assert.match(p.message, /duplicate key "a" \(first defined at .*hosts\.yaml:3:5\)/);
    assert.equal(p.pos!.line, 4);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('malformed group_vars get clear errors; INI in a .yaml file is read as INI, as Ansible does', () => {
  const dir = tempInventory({ 'hosts.yaml': 'all:\n  hosts:\n    a:\n', 'group_vars/all.yaml': '- 1\n- 2\n' });
  const ini = tempInventory({ 'hosts.yaml': '[leaf]\nleaf01\n' });
  try {
    const [p] = problemsOf(() => loadInventory(dir));
    assert.match(p.message, /expected a mapping of variables/);
    assert.match(p.pos!.file, /group_vars\/all\.yaml$/);
    assert.deepEqual(loadInventory(ini).groups.get('leaf')!.hosts, ['leaf01']);
  } finally {
    rmSync(dir, { recursive: true });
    rmSync(ini, { recursive: true });
  }
});

test('a child loop and a missing inventory are reported', () => {
  const dir = tempInventory({
    'hosts.yaml': 'all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n',
  });
  try {
    const [p] = problemsOf(() => loadInventory(dir));
    assert.match(p.message, /"a" is its own descendant \(all → a → b → a\)/);
    assert.match(problemsOf(() => loadInventory(join(dir, 'nope')))[0].message, /does not exist/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('in a folder, known_hosts and a vault password file are never read as inventories', () => {
  const dir = tempInventory({
    'hosts.yaml': 'all:\n  hosts:\n    a:\n',
    known_hosts: 'a ssh-ed25519 AAAA\n',
    'fleet.vault-password': 's3cret\n',
    'vault_pass.txt': 'x\n',
  });
  try {
    assert.deepEqual([...loadInventory(dir).hosts.keys()], ['a']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('inventoryFiles lists the files a load reads: sources, then group_vars and host_vars files, folders merged in order', () => {
  const dir = join(repoRoot, 'inventories/example-dc1');
  assert.deepEqual(
    inventoryFiles(dir).map((f) => f.slice(dir.length + 1)),
    [
      'hosts.yaml',
      'group_vars/all.yaml',
      'group_vars/leaf/access.yaml',
      'group_vars/leaf/tuning.yaml',
      'group_vars/spine.yaml',
      'host_vars/dc1-leaf-01.yaml',
      'host_vars/dc1-spine-04.yaml',
    ],
  );
  assert.deepEqual(inventoryFiles([join(dir, 'hosts.yaml'), join(dir, 'missing')]), inventoryFiles(dir));
});
