// A CommonJS file run through V8's code cache behaves as `require` runs it, with or without a
// cache, and a cache V8 rejects only costs the compile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCachePath, loadCached, writeCodeCache } from '../../../src/bundle/cached-script.js';

interface Probe {
  twice(n: number): number;
  where: { file: string; dir: string };
  hasRequire: boolean;
  sep(): Promise<string>;
}

function withFile(fn: (file: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psd-cached-'));
    const file = join(dir, 'probe.cjs');
    writeFileSync(
      file,
      `module.exports = { twice: (n) => n * 2, where: { file: __filename, dir: __dirname }, hasRequire: typeof require('node:path').join === 'function',
        sep: async () => (await import('node:path')).sep };`,
    );
    try {
      await fn(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

async function assertRuns(file: string, exports: unknown): Promise<void> {
  const p = exports as Probe;
  assert.equal(p.twice(21), 42);
  assert.deepEqual(p.where, { file, dir: join(file, '..') });
  assert.equal(p.hasRequire, true);
  assert.equal(await p.sep(), '/');
}

test(
  'without a cache the file compiles and runs as CommonJS',
  withFile(async (file) => {
    const { exports, cached } = loadCached(file);
    assert.equal(cached, false);
    await assertRuns(file, exports);
  }),
);

test(
  'the cache written after exercising the exports is taken by the next load',
  withFile(async (file) => {
    let exercised = 0;
    await writeCodeCache(file, async (e) => (exercised = (e as Probe).twice(2)));
    assert.equal(exercised, 4);
    assert.ok(existsSync(codeCachePath(file)));
    const { exports, cached } = loadCached(file);
    assert.equal(cached, true);
    await assertRuns(file, exports);
  }),
);

test(
  'a cache V8 rejects is ignored: the file compiles from source',
  withFile(async (file) => {
    writeFileSync(codeCachePath(file), Buffer.alloc(4096, 7));
    const { exports, cached } = loadCached(file);
    assert.equal(cached, false);
    await assertRuns(file, exports);
  }),
);

test('the cache is named by the V8 version and architecture that made it', () => {
  assert.equal(codeCachePath('/x/cli.cjs'), `/x/cli.cjs.v8-${process.versions.v8}-${process.arch}.cache`);
});

test('a file with text beyond ASCII reads as UTF-8, one of ASCII alone the same as before', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-cached-'));
  try {
    const file = join(dir, 'text.cjs');
    writeFileSync(file, "module.exports = { text: 'h\u00e9llo \u2713', plain: 'hello' };");
    assert.deepEqual(loadCached(file).exports, { text: 'h\u00e9llo \u2713', plain: 'hello' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
