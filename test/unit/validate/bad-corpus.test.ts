// The bad-input corpus: each case under test/fixtures/bad/<case>/ holds site.yaml, inventory/ and
// expect.json ({ file, line, message, requires? }). Every case must fail validation with a message
// that names file:line. Cases that need a module (e.g. sysctl) run when the built module is present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../../src/errors.js';
import { loadInventory } from '../../../src/inventory/load.js';
import { selectHosts } from '../../../src/inventory/patterns.js';
import { loadModuleRegistry, type ModuleRegistry } from '../../../src/modules-registry.js';
import { loadPlaybook } from '../../../src/playbook/load.js';
import { evalWhen } from '../../../src/playbook/when.js';
import { renderArgs } from '../../../src/render/template.js';
import { posOf } from '../../../src/source-map.js';
import { hostVars, loadPlayVarsFiles } from '../../../src/vars/precedence.js';
import { fixture, repoRoot } from '../inventory/fixture-path.js';

interface Expect {
  file: string;
  line: number;
  message: string;
  requires?: string[];
}

/** Load, validate, select hosts, resolve vars and render args: everything before contacting a host. */
function validateOffline(playbook: string, inventory: string, registry: ModuleRegistry): void {
  const inv = loadInventory(inventory);
  const plays = loadPlaybook(playbook, registry);
  for (const play of plays) {
    for (const host of selectHosts(inv, play.hosts, posOf(play, 'hosts'))) {
      const base = hostVars(inv, host, { play });
      const vars = hostVars(inv, host, { play, playVarsFiles: loadPlayVarsFiles(play, join(playbook, '..'), base) });
      for (const task of play.tasks) {
        if (task.when && !evalWhen(task.when, vars, posOf(task, 'when'))) continue;
        const args = renderArgs(task.args, vars, { task, host });
        const problems = registry.validateArgs(task.module, args, task.args);
        if (problems.length) throw new ValidationError(problems.map((p) => ({ ...p, host, task: task.name })));
      }
    }
  }
}

const registry = await loadModuleRegistry(join(repoRoot, 'dist', 'modules'));
const bad = fixture('bad');

for (const name of readdirSync(bad).sort()) {
  const dir = join(bad, name);
  const expect = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as Expect;
  const missing = (expect.requires ?? []).filter((m) => !registry.get(m));
  test(`bad input: ${name}`, { skip: missing.length ? `module ${missing.join(', ')} is not built` : false }, () => {
    assert.throws(
      () => validateOffline(join(dir, 'site.yaml'), join(dir, 'inventory'), registry),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
        const file = join(dir, expect.file);
        assert.ok(e.message.includes(`${file}:${expect.line}:`), `message should name ${expect.file}:${expect.line}:\n${e.message}`);
        assert.ok(e.message.includes(expect.message), `message should say "${expect.message}":\n${e.message}`);
        return true;
      },
    );
  });
}
