import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
    parseExtraVars(['{"x": ', '@missing.yaml', '/etc/vars.yaml', '[1, 2]', "a='open"], '/tmp');
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    assert.deepEqual(
      e.problems.map((p) => p.message.replace(/: malformed YAML.*/, ': malformed YAML')),
      [
        `-e '{"x": ': malformed YAML`,
        '-e @missing.yaml: file not found',
        `-e '/etc/vars.yaml': a file is read only with "@" before its path`,
        "-e '[1, 2]': not a mapping of variables",
        "-e 'a='open': a quote or a Jinja2 block ({{ }}, {% %}, {# #}) is not closed",
      ],
    );
    assert.equal(e.problems[2]!.hint, '-e @/etc/vars.yaml');
  }
});

test('-e @ a folder or a FIFO says what it is, and a FIFO is not waited on', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ev-'));
  try {
    assert.equal(spawnSync('mkfifo', [join(dir, 'fifo.yaml')]).status, 0);
    mkdirSync(join(dir, 'vars'));
    assert.throws(
      () => parseExtraVars(['@vars', '@fifo.yaml'], dir),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.problems.map((p) => p.message).join('\n') === '-e @vars: it is a directory, not a file\n-e @fifo.yaml: it is not a regular file',
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

// Each row as Debian's ansible-playbook (core 2.14) reads the item (its parse_kv).
const ANSIBLE_READS: [string, Record<string, string>][] = [
  ['a=b c', { a: 'b', _raw_params: 'c' }],
  ["x='a b'", { x: 'a b' }],
  ['a=1 b="two words"', { a: '1', b: 'two words' }],
  ['a="x"y', { a: '"x"y' }],
  ['a=b\\ c', { a: 'b\\', _raw_params: 'c' }],
  ["a='it''s'", { a: "it''s" }],
  ['a={{ x }} b', { a: '{{ x }}', _raw_params: 'b' }],
  ['a={{ x y }}', { a: '{{ x y }}' }],
  ['a=b=c', { a: 'b=c' }],
  ['a=\\=b', { a: '\\=b' }],
  ['k = v', { _raw_params: 'k = v' }],
  ['a=', { a: '' }],
  ['a=1 a=2', { a: '2' }],
  ['a=x\\tq', { a: 'x\tq' }],
  ['a="x\\"y"', { a: 'x"y' }],
  ['a="b \'c\' d"', { a: "b 'c' d" }],
  ['a=b\nc=d', { a: 'b', c: 'd' }],
  ['a={% if x %} y {% endif %}', { a: '{% if x %}', _raw_params: 'y {% endif %}' }],
  ['1x=2 a-b=3', { '1x': '2', 'a-b': '3' }],
  ['e=\\u00e9\\x41', { e: 'éA' }],
  ['novalue', { _raw_params: 'novalue' }],
];

test('key=value items read as ansible-playbook reads them: quotes, escapes, Jinja2 blocks, free words', () => {
  for (const [item, want] of ANSIBLE_READS) {
    const warned: string[] = [];
    assert.deepEqual({ ...parseExtraVars([item], '/tmp', (m) => warned.push(m)) }, want, item);
    assert.equal(warned.length, '_raw_params' in want ? 1 : 0, item);
  }
  const warned: string[] = [];
  parseExtraVars(['a=b c'], '/tmp', (m) => warned.push(m));
  assert.match(warned[0]!, /-e 'a=b c': "c" is not key=value; like ansible-playbook, it is kept only as _raw_params.*-e "key='a b'"/);
});

test('YAML text keeps YAML 1.1 types; a key such as __proto__ is an ordinary variable', () => {
  const v = parseExtraVars(['{a: yes, b: 0o10, c: 010, d: [1, two]}', '__proto__=x'], '/tmp');
  assert.deepEqual({ ...v }, { a: true, b: '0o10', c: 8, d: [1, 'two'], ['__proto__']: 'x' });
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
});
