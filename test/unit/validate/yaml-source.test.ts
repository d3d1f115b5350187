import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYaml } from '../../../src/validate/yaml-source.js';
import { ownPosOf, posOf } from '../../../src/source-map.js';

test('values resolve as Ansible (PyYAML) resolves them; huge integers and dates keep their text', () => {
  const { value, problems } = parseYaml(
    'a: yes\nb: no\nc: y\nd: 0644\ne: 1:20\nf: 18446744073692774399\ng: 4096\nh: "0644"\ni: ~\non: key\nj: 0x10\n' +
      'k: 1e3\nl: e3\nm: 1.0e+3\nn: 1_000\no: 0649\np: !!str 12\nq: 2024-01-02\nr: .5\ns: -0b11\n',
    'v.yaml',
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(value, {
    a: true,
    b: false,
    c: 'y',
    d: 420,
    e: 80,
    f: '18446744073692774399',
    g: 4096,
    h: '0644',
    i: null,
    on: 'key',
    j: 16,
    k: '1e3',
    l: 'e3',
    m: 1000,
    n: 1000,
    o: '0649',
    p: '12',
    q: '2024-01-02',
    r: 0.5,
    s: -3,
  });
});

test('positions of keys, list items and containers', () => {
  const { value } = parseYaml('top:\n  list:\n    - x\n    - { k: 1 }\n', 'p.yaml');
  const v = value as { top: { list: [string, { k: number }] } };
  assert.deepEqual(posOf(v, 'top'), { file: 'p.yaml', line: 1, col: 1 });
  assert.deepEqual(posOf(v.top, 'list'), { file: 'p.yaml', line: 2, col: 3 });
  assert.deepEqual(posOf(v.top.list, 1), { file: 'p.yaml', line: 4, col: 7 });
  assert.deepEqual(posOf(v.top.list[1], 'k'), { file: 'p.yaml', line: 4, col: 9 });
  assert.deepEqual(ownPosOf(v.top.list), { file: 'p.yaml', line: 3, col: 5 });
});

test('anchors, aliases and merge keys; explicit keys beat merged ones', () => {
  const { value, problems } = parseYaml('base: &b { x: 1, y: 2 }\nleaf:\n  <<: *b\n  y: 3\nsame: *b\n', 'm.yaml');
  assert.deepEqual(problems, []);
  const v = value as Record<string, Record<string, number>>;
  assert.deepEqual(v.leaf, { y: 3, x: 1 });
  assert.equal(v.same, v.base);
  assert.equal(posOf(v.leaf, 'x')!.line, 1);
});

test('syntax errors: the first one, with position and a hint', () => {
  const { problems } = parseYaml('a:\n\t- 1\n', 't.yaml');
  assert.equal(problems.length, 1);
  assert.deepEqual([problems[0].pos!.line, problems[0].pos!.col], [2, 1]);
  assert.match(problems[0].hint!, /spaces, not tabs/);
  const unclosed = parseYaml('a: { b: 1\nc: 2\n', 'u.yaml').problems[0];
  assert.match(unclosed.hint!, /"\{" opened on an earlier line is not closed/);
});

test('a byte-order mark at the start of a file is not content', () => {
  const { value, problems } = parseYaml('\uFEFF- hosts: all\n  tasks: []\n', 'site.yaml');
  assert.deepEqual(problems, []);
  assert.deepEqual(value, [{ hosts: 'all', tasks: [] }]);
});

test('an unknown tag is a located problem; !unsafe, !vault and YAML tags are known', () => {
  const { problems } = parseYaml('a: 1\nb: !custom x\nc: !!str 5\nd: !unsafe "{{ x }}"\n', 'v.yaml');
  assert.equal(problems.length, 1);
  assert.equal(problems[0].message, 'unknown YAML tag !custom');
  assert.deepEqual(problems[0].pos, { file: 'v.yaml', line: 2, col: 4 });
});
