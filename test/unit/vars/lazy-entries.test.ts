import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lazyEntries } from '../../../src/vars/lazy-entries.js';

test('an entry is made when first read, once, and only for its own names', () => {
  const made: string[] = [];
  const m = lazyEntries(['a', 'b', 'c'], (n) => (made.push(n), { name: n }));
  assert.deepEqual(made, []);
  assert.deepEqual(m.b, { name: 'b' });
  assert.equal(m.b, m.b);
  assert.deepEqual(made, ['b']);
  assert.equal(m.zz, undefined);
  assert.equal(m.toString, Object.prototype.toString);
  assert.deepEqual(made, ['b']);
});

test('to readers it is a plain mapping of its names: keys, in, own-key checks, spread and JSON', () => {
  const m = lazyEntries(['x', 'y'], (n) => n.toUpperCase());
  assert.deepEqual(Object.keys(m), ['x', 'y']);
  assert.ok('x' in m && !('z' in m));
  assert.ok(Object.prototype.hasOwnProperty.call(m, 'y') && !Object.hasOwn(m, 'z'));
  assert.deepEqual({ ...m }, { x: 'X', y: 'Y' });
  assert.equal(JSON.stringify(m), '{"x":"X","y":"Y"}');
  assert.deepEqual(Object.entries(m), [
    ['x', 'X'],
    ['y', 'Y'],
  ]);
});

test('it cannot be changed', () => {
  const m = lazyEntries(['x'], () => 1);
  assert.throws(() => {
    m.x = 2;
  }, TypeError);
  assert.throws(() => {
    delete m.x;
  }, TypeError);
  assert.equal(m.x, 1);
});
