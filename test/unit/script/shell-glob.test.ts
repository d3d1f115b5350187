// shGlob: only `*`, `?` and bracket expressions match; nothing in a glob, brackets included, runs.
// Real sh and bash expand the quoted globs over real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shGlob, shq } from '../../../src/script/shell.js';
import { hostile, hostilePieces, rng } from '../../helpers/hostile-strings.js';

const NAMES = ['a$b', 'a-b', 'ab', 'ac', 'a!b', "a'b", 'a"b', 'a b', 'a\\b', 'a(b', 'a;b', 'a`b', 'a^b', 'x1', 'x9'];

function expand(shell: string, dir: string, glob: string): string[] {
  const run = spawnSync(shell, ['-c', `cd ${shq(dir)} && for f in ${shGlob(glob)}; do [ -e "$f" ] && printf '%s\\0' "$f"; done; true`], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\0').filter(Boolean).sort();
}

test('bracket members are text: quotes, $ and blanks match themselves; ranges and negation still work', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-glob-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const n of NAMES) writeFileSync(join(dir, n), '');
  for (const shell of ['sh', 'bash']) {
    assert.deepEqual(expand(shell, dir, 'a[$]b'), ['a$b'], shell);
    assert.deepEqual(expand(shell, dir, `a['" ]b`), ['a b', 'a"b', "a'b"].sort(), shell);
    assert.deepEqual(expand(shell, dir, 'a[\\(;`]b'), ['a(b', 'a;b', 'a\\b', 'a`b'].sort(), shell);
    assert.deepEqual(expand(shell, dir, 'a[b-c]'), ['ab', 'ac'], shell);
    assert.deepEqual(expand(shell, dir, 'x[0-9]'), ['x1', 'x9'], shell);
    assert.deepEqual(expand(shell, dir, 'a[!$!]b'), NAMES.filter((n) => /^a.b$/.test(n) && n !== 'a$b' && n !== 'a!b').sort(), shell);
    assert.deepEqual(expand(shell, dir, 'a[-^]b'), ['a-b', 'a^b'], shell);
  }
});

test('hostile globs, brackets included, never run a command', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-glob-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const marker = join(dir, 'RAN');
  const pieces = hostilePieces(marker);
  const r = rng(4242);
  const globs = Array.from({ length: 80 }, () => hostile(r, pieces).replace(/\0/g, ''));
  // Every piece inside a bracket expression as well as outside one.
  globs.push(...pieces.map((p) => `x[${p.replace(/[\]/\0]/g, '')}]`), `[$(touch ${marker})]`, `[\`touch ${marker}\`]`);
  for (const shell of ['sh', 'bash']) for (const g of globs) expand(shell, dir, g);
  assert.equal(existsSync(marker), false);
});
