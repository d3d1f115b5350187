import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModuleRegistry } from '../../../src/modules-registry.js';
import { recordPos } from '../../../src/source-map.js';
import { tempRegistry } from './temp-registry.js';

test('discovers modules by folder, fills defaults, lists module handlers', async () => {
  const { registry, cleanup } = await tempRegistry();
  try {
    assert.deepEqual(registry.names(), ['kv', 'note', 'pin']);
    assert.equal(registry.get('kv')!.name, 'kv');
    assert.equal(registry.get('nope'), undefined);
    const args: Record<string, unknown> = { settings: { a: 1 } };
    assert.deepEqual(registry.validateArgs('kv', args, args), []);
    assert.equal(args.file, '/etc/kv.conf');
    assert.equal(args.state, 'present');
    assert.deepEqual(
      [...registry.handlers().entries()],
      [['kv reload', { key: 'kv reload', module: 'kv', summary: 'reload kv', ops: [], order: 1 }]],
    );
  } finally {
    cleanup();
  }
});

test("arg errors point at the value's source position, through rendered copies", async () => {
  const { registry, cleanup } = await tempRegistry();
  try {
    const loaded = { settings: { 'kernel.x': 'ok', 'kernel.y': '1\nkernel.panic=1' }, state: 'gone', colour: 'red' };
    recordPos(loaded, 'state', { file: 'site.yaml', line: 4, col: 5 });
    recordPos(loaded, 'colour', { file: 'site.yaml', line: 5, col: 5 });
    recordPos(loaded.settings, 'kernel.y', { file: 'vars.yaml', line: 2, col: 3 });
    const rendered = structuredClone(loaded);
    const problems = registry.validateArgs('kv', rendered, loaded);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    assert.deepEqual(Object.keys(byPath).sort(), ['kv.colour', 'kv.settings["kernel.y"]', 'kv.state']);
    assert.match(byPath['kv.settings["kernel.y"]'].message, /is not allowed/);
    assert.equal(byPath['kv.settings["kernel.y"]'].hint, 'no newline, = or #');
    assert.deepEqual(byPath['kv.settings["kernel.y"]'].pos, { file: 'vars.yaml', line: 2, col: 3 });
    assert.match(byPath['kv.state'].message, /expected one of "present", "absent", got "gone"/);
    assert.match(byPath['kv.colour'].message, /unknown key "colour"/);
    assert.equal(byPath['kv.colour'].pos!.line, 5);
  } finally {
    cleanup();
  }
});

test('a folder whose export is not a module, or whose schema is not strict, fails loudly', async () => {
  const bad = await tempRegistry({ broken: 'export default { name: "broken" };' }).catch((e: Error) => e);
  assert.ok(bad instanceof Error && /not a module/.test(bad.message));
  const loose = await tempRegistry({
    loose: 'export default { name: "loose", schema: { type: "object", madeUp: 1 }, needs: () => [], diff: () => [] };',
  }).catch((e: Error) => e);
  assert.ok(loose instanceof Error && /invalid args schema/.test(loose.message));
  assert.deepEqual((await loadModuleRegistry('/nonexistent-modules-dir')).names(), []);
});
