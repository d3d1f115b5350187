import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../../src/inventory/load.js';
import { hostVars, loadPlayVarsFiles, type VarLayers } from '../../../src/vars/precedence.js';
import { ValidationError } from '../../../src/errors.js';
import { posOf, recordPos } from '../../../src/source-map.js';
import type { Play } from '../../../src/playbook/types.js';
import { fixture } from '../inventory/fixture-path.js';

const inv = loadInventory(fixture('good', 'dc-small'));

function play(vars: Record<string, unknown>, varsFiles: string[] = [], file = '/nowhere/site.yaml'): Play {
  return {
    name: 'p',
    hosts: 'all',
    vars,
    varsFiles,
    serial: [],
    anyErrorsFatal: false,
    tags: [],
    tasks: [],
    handlers: [],
    pos: { file, line: 1, col: 1 },
  };
}

test('each layer beats the one below it: defaults < all < parent < child < host < play < vars_files < -e', () => {
  const defaults = { level: 'defaults', only_default: 1 };
  const layers: [string, VarLayers, string][] = [
    ['spine01', {}, 'all'],
    ['leaf04', {}, 'leaf'],
    ['leaf02', {}, 'leaf_edge_b'],
    ['leaf01', {}, 'host'],
    ['leaf01', { play: play({ level: 'play' }) }, 'play'],
    ['leaf01', { play: play({ level: 'play' }), playVarsFiles: [{ level: 'file1' }, { level: 'file2' }] }, 'file2'],
    ['leaf01', { play: play({ level: 'play' }), playVarsFiles: [{ level: 'file1' }], extra: { level: 'extra' } }, 'extra'],
  ];
  for (const [host, extra, want] of layers) {
    const v = hostVars(inv, host, { defaults, ...extra });
    assert.equal(v.level, want, `${host} with ${Object.keys(extra).join('+') || 'inventory only'}`);
    assert.equal(v.only_default, 1);
    assert.equal(v.only_all, 'from-all');
  }
});

test("as in Ansible, group_vars files beat every group's inline inventory vars", () => {
  assert.equal(hostVars(inv, 'leaf01', {}).inline_vs_file, 'all-file');
  assert.equal(inv.groups.get('leaf')!.vars.inline_vs_file, 'leaf-inline');
});

test('groups of equal depth apply by name, the later name winning', () => {
  assert.equal(hostVars(inv, 'leaf04', {}).site, 'zz');
});

test('mappings are replaced, not deep-merged', () => {
  assert.deepEqual(hostVars(inv, 'leaf01', {}).sysctl_settings, { 'net.ipv4.tcp_fastopen': 3 });
  assert.deepEqual(hostVars(inv, 'spine01', {}).sysctl_settings, { 'net.core.somaxconn': 4096 });
});

test("Ansible connection vars alias the tool's names; the tool's name wins in the same layer", () => {
  const spine = hostVars(inv, 'spine01', {});
  assert.equal(spine.host, '10.0.0.1');
  assert.equal(spine.ansible_host, '10.0.0.1');
  const leaf4 = hostVars(inv, 'leaf04', {});
  assert.equal(leaf4.port, 22);
  assert.equal(leaf4.ansible_port, 2222);
  assert.equal(hostVars(inv, 'leaf01', {}).user, 'admin');
  // A higher layer's alias beats a lower layer's own name.
  assert.equal(hostVars(inv, 'leaf04', { extra: { ansible_port: 2200 } }).port, 2200);
});

test('magic variables and positions of merged values', () => {
  const v = hostVars(inv, 'leaf02', {});
  assert.equal(v.inventory_hostname, 'leaf02');
  assert.deepEqual(v.group_names, ['leaf', 'leaf_edge']);
  assert.deepEqual((v.groups as Record<string, string[]>).spine, ['spine01', 'spine02']);
  assert.match(posOf(v, 'level')!.file, /group_vars\/leaf_edge\/20-b\.yaml$/);
  assert.throws(() => hostVars(inv, 'ghost', {}), ValidationError);
});

test("vars_files may be templated per host and are read relative to the play's file", () => {
  const dir = mkdtempSync(join(tmpdir(), 'vf-'));
  try {
    mkdirSync(join(dir, 'profiles'));
    writeFileSync(join(dir, 'profiles', 'latency.yaml'), 'busy_poll: 50\n');
    writeFileSync(join(dir, 'profiles', 'balanced.yaml'), 'busy_poll: 0\n');
    const p = play({}, ['profiles/{{ tuning_profile }}.yaml'], join(dir, 'site.yaml'));
    recordPos(p.varsFiles, 0, { file: join(dir, 'site.yaml'), line: 4, col: 5 });
    const [lat] = loadPlayVarsFiles(p, '/elsewhere', { tuning_profile: 'latency' });
    assert.equal(lat.busy_poll, 50);
    assert.equal(posOf(lat, 'busy_poll')!.line, 1);
    assert.equal(loadPlayVarsFiles(p, '/elsewhere', { tuning_profile: 'balanced' })[0].busy_poll, 0);
    assert.throws(
      () => loadPlayVarsFiles(p, dir, { tuning_profile: 'nope' }),
      (e: unknown) => e instanceof ValidationError && /not found/.test(e.message) && e.problems[0].pos!.line === 4,
    );
    assert.throws(() => loadPlayVarsFiles(p, dir, {}), /undefined variable "tuning_profile"/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('hosts of the same groups share the layers under their own, yet each gets its own variables', () => {
  const defaults = { level: 'defaults', only_default: 1 };
  const a = hostVars(inv, 'leaf01', { defaults });
  const b = hostVars(inv, 'leaf01', { defaults });
  assert.notEqual(a, b, 'a fresh set per call');
  a.only_default = 2;
  assert.equal(b.only_default, 1, "one host's set changed leaves the other's as it was");
  assert.equal(hostVars(inv, 'leaf01', { defaults }).only_default, 1);
  // Other defaults (another play's) are not mistaken for the first.
  assert.equal(hostVars(inv, 'leaf01', { defaults: { only_default: 3 } }).only_default, 3);
  assert.equal(hostVars(inv, 'leaf01', {}).only_default, undefined);
});

test('a shared merge keeps where each value came from', () => {
  const defaults = { only_default: 1 };
  recordPos(defaults, 'only_default', { file: '/defaults.yaml', line: 4, col: 1 });
  const v = hostVars(inv, 'leaf01', { defaults });
  assert.deepEqual(posOf(v, 'only_default'), { file: '/defaults.yaml', line: 4, col: 1 });
  assert.match(posOf(v, 'only_all')?.file ?? '', /group_vars/);
});
