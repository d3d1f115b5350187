import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_KEY_CHARS, memoByString } from '../../../src/memo.js';

function counted() {
  const calls: string[] = [];
  return { calls, fn: (s: string) => (calls.push(s), s.length) };
}

test('a key asked again is answered from memory, with the same value', () => {
  const { calls, fn } = counted();
  const m = memoByString(fn);
  assert.equal(m('abc'), 3);
  assert.equal(m('abc'), 3);
  assert.equal(m('de'), 2);
  assert.deepEqual(calls, ['abc', 'de']);
});

test('a key whose value is undefined is remembered too', () => {
  const calls: string[] = [];
  const m = memoByString((s) => void calls.push(s));
  assert.equal(m('a'), undefined);
  assert.equal(m('a'), undefined);
  assert.deepEqual(calls, ['a']);
});

test('past its size it starts afresh, so memory stays bounded', () => {
  const { calls, fn } = counted();
  const m = memoByString(fn, 2);
  m('a');
  m('b');
  m('c'); // clears, keeps c
  m('a');
  m('c');
  assert.deepEqual(calls, ['a', 'b', 'c', 'a']);
});

test('a key longer than the limit is computed every time, never kept', () => {
  const { calls, fn } = counted();
  const m = memoByString(fn);
  const long = 'x'.repeat(MAX_KEY_CHARS + 1);
  assert.equal(m(long), MAX_KEY_CHARS + 1);
  assert.equal(m(long), MAX_KEY_CHARS + 1);
  assert.equal(calls.length, 2);
});
