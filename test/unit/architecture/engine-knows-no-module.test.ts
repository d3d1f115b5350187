// The engine (src/) knows no module by name and no module's domain: modules are found by folder,
// and each declares and parses the facts it needs. The kernel parts only tuning modules read
// (IRQs and their NICs, RPS queues, block devices, irqbalance) appear under modules/ alone.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const SRC = join(ROOT, 'src');

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* tsFiles(join(dir, e.name));
    else if (e.name.endsWith('.ts')) yield join(dir, e.name);
  }
}

/** Source without comments: a comment may name an example module, code may not. */
const code = (file: string) =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

const sources = [...tsFiles(SRC)].map((f) => ({ file: relative(ROOT, f), code: code(f) }));

test('nothing in src/ imports a module', () => {
  const importing = sources.filter((s) => /from\s+['"][./]*modules\/|import\(\s*['"][./]*modules\//.test(s.code)).map((s) => s.file);
  assert.deepEqual(importing, []);
});

test('no module is named in the engine code', () => {
  // Names that are also engine words: fact kinds ('file', 'sysctl') and lookup names ('template').
  const engineWords = new Set(['file', 'sysctl', 'template']);
  const names = readdirSync(join(ROOT, 'modules'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('_') && !engineWords.has(e.name))
    .map((e) => e.name);
  assert.ok(names.includes('irq_affinity') && names.includes('copy'), 'the module folders were found');
  const naming = sources.flatMap((s) => names.filter((n) => new RegExp(`['"\`]${n}['"\`]`).test(s.code)).map((n) => `${s.file}: ${n}`));
  assert.deepEqual(naming, []);
});

test('no tuning domain in the engine: IRQs, RPS queues, block devices and irqbalance belong to modules', () => {
  const domain = /\/proc\/interrupts|\/proc\/irq|\/sys\/block|irqbalance|\bnics\b|blockDevices|sysctlKeys|rps_cpus/;
  assert.deepEqual(
    sources.filter((s) => domain.test(s.code)).map((s) => s.file),
    [],
  );
});
