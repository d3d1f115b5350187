// A local file replaced whole: the new content or the old, never a half, never a temporary file
// left behind, never a write through a link left at the temporary name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../src/write-atomic.js';

function folder(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'psd-write-atomic-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('replaces the file, with exactly the mode asked, umask or not', (t) => {
  const dir = folder(t);
  const file = join(dir, 'f');
  writeFileSync(file, 'old');
  const umask = process.umask(0o077);
  try {
    writeFileAtomic(file, 'new', 0o640);
  } finally {
    process.umask(umask);
  }
  assert.equal(readFileSync(file, 'utf8'), 'new');
  assert.equal(statSync(file).mode & 0o777, 0o640);
  assert.deepEqual(readdirSync(dir), ['f']);
});

test('a failed rename keeps the old file and leaves no temporary one', (t) => {
  const dir = folder(t);
  const target = join(dir, 'busy');
  mkdirSync(target);
  writeFileSync(join(target, 'inside'), '');
  assert.throws(() => writeFileAtomic(target, 'x'));
  assert.deepEqual(readdirSync(dir), ['busy']);
});

test('a link left at the temporary name is not written through', (t) => {
  const dir = folder(t);
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'untouched');
  symlinkSync(victim, join(dir, `.f.${process.pid}.tmp`));
  writeFileAtomic(join(dir, 'f'), 'new');
  assert.equal(readFileSync(victim, 'utf8'), 'untouched');
  assert.equal(readFileSync(join(dir, 'f'), 'utf8'), 'new');
});
