import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../../src/inventory/load.js';
import { shellWords } from '../../../src/inventory/ini-inventory.js';
import { pythonLiteral } from '../../../src/inventory/python-literal.js';
import { ValidationError, type Problem } from '../../../src/errors.js';
import { posOf } from '../../../src/source-map.js';

function withIni(text: string, fn: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ini-'));
  try {
    writeFileSync(join(dir, 'hosts'), text);
    fn(join(dir, 'hosts'));
  } finally {
    rmSync(dir, { recursive: true });
  }
}

function problems(text: string): Problem[] {
  let out: Problem[] = [];
  withIni(text, (file) => {
    try {
      loadInventory(file);
      assert.fail('expected a ValidationError');
    } catch (e) {
      assert.ok(e instanceof ValidationError, String(e));
      out = e.problems;
    }
  });
  return out;
}

test('values are Python literals where they parse, else the text', () => {
  const cases: [string, unknown][] = [
    ['42', 42],
    ['-3', -3],
    ['1_000', 1000],
    ['0x1F', 31],
    ['0o17', 15],
    ['0b11', 3],
    ['1e3', 1000],
    ['.5', 0.5],
    ['2.', 2],
    ['0644', '0644'],
    ['yes', 'yes'],
    ['true', 'true'],
    ['True', true],
    ['None', null],
    ["'a b'", 'a b'],
    ['"x" \'y\'', 'xy'],
    ["[1, 'a', [2]]", [1, 'a', [2]]],
    ['(1,)', [1]],
    ['(1)', 1],
    ["{'k': [1, None]}", { k: [1, null] }],
    ['42 # note', 42],
    ['hello # not a comment', 'hello # not a comment'],
    ['{1, 2}', '{1, 2}'],
    ['1e3x', '1e3x'],
    ['18446744073709551615', '18446744073709551615'],
    ['', ''],
    ['['.repeat(100) + ']'.repeat(100), '['.repeat(100) + ']'.repeat(100)],
  ];
  for (const [text, want] of cases) assert.deepEqual(pythonLiteral(text), want, text);
});

test('a literal key named __proto__ is a plain key, not a prototype', () => {
  const v = pythonLiteral("{'__proto__': {'polluted': 1}}") as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
});

test('host lines split like shlex: quotes, escapes, comments', () => {
  assert.deepEqual(shellWords(`h a="x y" b='q' c=d#e # tail`), ['h', 'a=x y', 'b=q', 'c=d']);
  assert.deepEqual(shellWords(`h a="say \\"hi\\""`), ['h', 'a=say "hi"']);
  assert.equal(shellWords(`h a="open`), 'no closing "');
});

test('sections, children declared before their group, ranges, ports, vars with positions', () => {
  withIni('top1\n[dc:children]\nleaf\n[leaf]\nleaf[1:2]:2222 role=leaf\n[leaf:vars]\nmtu = 9000\n', (file) => {
    const inv = loadInventory(file);
    assert.deepEqual(inv.groups.get('dc')!.children, ['leaf']);
    assert.deepEqual(inv.groups.get('leaf')!.hosts, ['leaf1', 'leaf2']);
    assert.deepEqual(inv.groups.get('ungrouped')!.hosts, ['top1']);
    assert.deepEqual(inv.hosts.get('leaf2')!.vars, { role: 'leaf', ansible_port: 2222 });
    assert.equal(inv.groups.get('leaf')!.vars.mtu, 9000);
    assert.deepEqual(posOf(inv.groups.get('leaf')!.vars, 'mtu'), { file, line: 7, col: 1 });
    assert.deepEqual(inv.hosts.get('leaf1')!.groups, ['all', 'dc', 'leaf']);
  });
});

test('bad INI: each problem at its line with a hint; nothing half-loaded', () => {
  const p = problems('[leaf]\nleaf01 mtu\n[leaf:bogus]\n[spine:vars]\nx=1\n[dc:children]\nnowhere\n[a b]\n[z]\nh a="x\n');
  const lines = p.map((x) => [x.pos?.line, x.message]);
  assert.deepEqual(lines, [
    [2, 'expected key=value after the host name, got "mtu"'],
    [3, 'section [leaf:bogus] has unknown type "bogus"'],
    [8, 'invalid section "[a b]"'],
    [10, 'cannot read host line: no closing "'],
    [4, 'section [spine:vars] is for a group this inventory never declares'],
    [7, '[dc:children] names group "nowhere", which this inventory never declares'],
  ]);
  assert.ok(p.every((x) => x.hint));
});

test('a children loop is refused', () => {
  const p = problems('[a:children]\nb\n[b:children]\na\n');
  assert.match(p[0].message, /its own descendant/);
});
