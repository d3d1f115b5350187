import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExtraVars } from '../../../src/vars/extra.js';
import { ValidationError } from '../../../src/errors.js';
import { posOf } from '../../../src/source-map.js';

test('key=value pairs are strings, JSON keeps types, @file is read relative to cwd, later wins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ev-'));
  try {
    writeFileSync(join(dir, 'vars.yaml'), 'a: from-file\nn: 5\n');
    const v = parseExtraVars(['a=1 b="two words"', '@vars.yaml', '{"c": [1, 2], "n": 6}'], dir);
    assert.deepEqual(v, { a: 'from-file', b: 'two words', n: 6, c: [1, 2] });
    assert.equal(posOf(v, 'a')!.line, 1);
    assert.match(posOf(v, 'a')!.file, /vars\.yaml$/);
    assert.equal(parseExtraVars(['@vars.yaml', 'a=cli'], dir).a, 'cli');
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('bad -e items are all reported', () => {
  try {
    parseExtraVars(['novalue', '{"x": ', '@missing.yaml', '1x=2'], '/tmp');
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    assert.equal(e.problems.length, 4);
    assert.match(e.problems[0].message, /"novalue" is not key=value/);
    assert.match(e.problems[1].message, /invalid JSON/);
    assert.match(e.problems[2].message, /file not found/);
  }
});

test('-e key=value with an unclosed quote is a problem naming the item, not a silent guess', () => {
  assert.throws(
    () => parseExtraVars(['a="open b=2'], process.cwd()),
    (e: Error & { problems?: { message: string }[] }) => /-e 'a="open b=2': no closing " quote/.test(e.problems?.[0]?.message ?? ''),
  );
});
