// Module handlers: declared once, shared by identity, run in their declared order whatever the
// folder names, and a module notifying a shared handler does not depend on another module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModuleRegistry } from '../../../src/modules-registry.js';

const SHARED = `export const reload = { key: 'reload', summary: 'reload units', ops: [], order: 10 };`;
const mod = (name: string, handlers: string, imports = `import { reload } from '../_shared/h.js';`) =>
  `${imports}\nexport default { name: '${name}', schema: {}, needs: () => [], diff: () => [], handlers: ${handlers} };`;

async function registryOf(t: { after(fn: () => void): void }, modules: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'psd-handlers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, '_shared'));
  writeFileSync(join(dir, '_shared', 'h.js'), SHARED);
  for (const [name, src] of Object.entries(modules)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'index.js'), src);
  }
  return loadModuleRegistry(dir);
}

test('module handlers run in declared order, not folder order; a shared one is registered once', async (t) => {
  const registry = await registryOf(t, {
    a_service: mod('a_service', `[reload, { key: 'restart', summary: 'restart it', ops: [], order: 20 }]`),
    b_units: mod('b_units', '[reload]'),
  });
  assert.deepEqual(
    [...registry.handlers().values()].map((h) => [h.key, h.module, h.order]),
    [
      ['reload', 'a_service', 10],
      ['restart', 'a_service', 20],
    ],
  );
});

test('removing one module leaves the shared handler to the others that list it', async (t) => {
  const registry = await registryOf(t, { b_units: mod('b_units', '[reload]') });
  assert.deepEqual([...registry.handlers().keys()], ['reload']);
});

test('a second declaration of a handler key is refused, naming both modules', async (t) => {
  await assert.rejects(
    registryOf(t, {
      a_one: mod('a_one', '[reload]'),
      b_two: mod('b_two', `[{ key: 'reload', summary: 'another reload', ops: [], order: 5 }]`, ''),
    }),
    /b_two.*handler "reload" is declared again; module "a_one" declares it already/,
  );
});

test("the project's modules: daemon-reload before the daemon's restart, one object for every module", async () => {
  const registry = await loadModuleRegistry(fileURLToPath(new URL('../../../modules/', import.meta.url)));
  assert.deepEqual([...registry.handlers().keys()], ['systemd daemon-reload', 'portsyncd restart']);
  const reloads = new Set(
    registry
      .names()
      .flatMap((n) => registry.get(n)!.handlers ?? [])
      .filter((h) => h.key === 'systemd daemon-reload'),
  );
  assert.equal(reloads.size, 1);
});
