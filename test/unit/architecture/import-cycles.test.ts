// src/ folders import each other without cycles, and the engine never imports the lab.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cycles, folderGraph } from './folder-imports.js';

// dist/test/unit/architecture -> the sources beside package.json
const SRC = join(fileURLToPath(new URL('.', import.meta.url)), '../../../../src');

test('no import cycles between src/ folders', () => {
  assert.deepEqual(cycles(folderGraph(SRC)), []);
});

test('the engine does not load the lab, not even by a computed import', () => {
  const graph = folderGraph(SRC);
  assert.deepEqual(
    [...graph].filter(([, to]) => to.has('lab')).map(([from]) => from),
    [],
  );
  // A path kept in a variable and imported later escapes the graph: no source names the lab at all.
  const naming = [...readdirRecursive(SRC)].filter((f) => /['"`](\.\.\/)+lab\//.test(readFileSync(f, 'utf8')));
  assert.deepEqual(
    naming.map((f) => relative(SRC, f)),
    [],
  );
});

function* readdirRecursive(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* readdirRecursive(join(dir, e.name));
    else if (e.name.endsWith('.ts')) yield join(dir, e.name);
  }
}

test('the cycle finder finds a cycle of three folders once', () => {
  const g = new Map([
    ['a', new Set(['b'])],
    ['b', new Set(['c'])],
    ['c', new Set(['a', 'd'])],
    ['d', new Set<string>()],
  ]);
  assert.deepEqual(cycles(g), ['a -> b -> c -> a']);
});
