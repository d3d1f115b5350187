// A play's health: list, as the loader reads it: probe tasks only, with their positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModuleRegistry } from '../../../src/modules-registry.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { ValidationError } from '../../../src/errors.js';

const registry = await loadModuleRegistry(fileURLToPath(new URL('../../../modules/', import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'psd-health-list-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function load(yaml: string) {
  const file = join(dir, 'play.yaml');
  writeFileSync(file, yaml);
  return loadPlaybook(file, registry);
}

test('health: holds probe tasks, kept apart from tasks', () => {
  const [play] = load(`- hosts: all
  serial: [1, "10%", "100%"]
  tasks:
    - name: deploy
      command: {argv: ["true"]}
  health:
    - name: healthy
      health_check: {max_rss_mb: 64}
`);
  assert.deepEqual(
    play!.tasks.map((t) => t.name),
    ['deploy'],
  );
  assert.deepEqual(
    play!.health?.map((t) => [t.name, t.module, t.args]),
    [['healthy', 'health_check', { max_rss_mb: 64 }]],
  );
  assert.deepEqual(play!.serial, [1, '10%', '100%']);
});

test('a play without health: has none', () => {
  assert.equal(load('- hosts: all\n  tasks: []\n')[0]!.health, undefined);
});

test('a module that changes hosts in health: is an error at its line', () => {
  assert.throws(
    () => load('- hosts: all\n  health:\n    - name: not a probe\n      command: {argv: ["true"]}\n'),
    (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      const [p] = e.problems;
      assert.match(p!.message, /health task "not a probe" uses command, which changes hosts instead of probing them/);
      assert.equal(p!.pos?.line, 3);
      assert.match(p!.hint ?? '', /health_check/);
      return true;
    },
  );
});

for (const list of ['tasks', 'handlers'] as const) {
  test(`a probe module under ${list}: is an error at its line`, () => {
    assert.throws(
      () => load(`- hosts: all\n  ${list}:\n    - name: probe here\n      health_check: {}\n`),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        const [p] = e.problems;
        assert.match(p!.message, /"probe here" uses health_check, a probe, which belongs in the play's health: list/);
        assert.equal(p!.pos?.line, 3);
        assert.match(p!.hint ?? '', /under health:/);
        return true;
      },
    );
  });
}
