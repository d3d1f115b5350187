import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandHostRange } from '../../../src/inventory/host-ranges.js';

test('numeric ranges keep zero padding, letters and steps work, ranges nest', () => {
  assert.deepEqual(expandHostRange('leaf[08:10].dc1'), ['leaf08.dc1', 'leaf09.dc1', 'leaf10.dc1']);
  assert.deepEqual(expandHostRange('sw[a:c]'), ['swa', 'swb', 'swc']);
  assert.deepEqual(expandHostRange('h[1:7:3]'), ['h1', 'h4', 'h7']);
  assert.deepEqual(expandHostRange('r[1:2]-[a:b]'), ['r1-a', 'r1-b', 'r2-a', 'r2-b']);
  assert.deepEqual(expandHostRange('plain'), ['plain']);
});

test('bad ranges say why', () => {
  assert.match(expandHostRange('h[5:1]') as string, /starts after it ends/);
  assert.match(expandHostRange('h[1-3]') as string, /must be \[start:end\]/);
  assert.match(expandHostRange('h[1:3:0]') as string, /step/);
});
