import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignWithPos, withVars } from '../../../src/vars/merge.js';
import { posOf, recordPos } from '../../../src/source-map.js';
import { isUnsafe, markUnsafe } from '../../../src/raw-data.js';

const at = (line: number) => ({ file: 'vars.yaml', line, col: 1 });

test('a merged key has the position of the layer its value came from', () => {
  const base = { a: 1, b: 2 };
  recordPos(base, 'a', at(1));
  recordPos(base, 'b', at(2));
  const more = { b: 3 };
  recordPos(more, 'b', at(10));
  const out = withVars(base, more);
  assert.deepEqual(out, { a: 1, b: 3 });
  assert.deepEqual(posOf(out, 'a'), at(1));
  assert.deepEqual(posOf(out, 'b'), at(10));
  assert.equal(posOf(out, 'c'), undefined);
  assert.deepEqual(posOf(base, 'b'), at(2), 'the layer below keeps its own positions');
});

test('a position recorded on the merged object itself wins over its layers, and later merges win over it', () => {
  const base = { a: 1 };
  recordPos(base, 'a', at(1));
  const out = assignWithPos({}, base);
  recordPos(out, 'a', at(5));
  assert.deepEqual(posOf(out, 'a'), at(5));
  const more = { a: 2 };
  recordPos(more, 'a', at(7));
  assignWithPos(out, more);
  assert.deepEqual(posOf(out, 'a'), at(7));
});

test('merges of merges find the deepest layer', () => {
  const file = { x: 1 };
  recordPos(file, 'x', at(3));
  const once = withVars({}, file);
  const twice = withVars(once, { y: 2 });
  assert.deepEqual(posOf(twice, 'x'), at(3));
});

test('an unsafe value stays unsafe under its key after a merge; other keys are not marked', () => {
  const base = { raw: '{{ x }}', plain: 'y' };
  markUnsafe(base, 'raw');
  const out = withVars(base, { other: 1 });
  assert.equal(isUnsafe(out, 'raw'), true);
  assert.equal(isUnsafe(out, 'plain'), false);
  assert.equal(isUnsafe(out, 'other'), false);
});
