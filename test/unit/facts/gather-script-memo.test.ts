// Hosts that ask the same queries share one composed gather script; any difference in the
// queries or the target composes its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatherScript } from '../../../src/facts/gather.js';
import { composeGatherScript, uniqueQueries } from '../../../src/facts/gather-script.js';
import type { FactQuery } from '../../../src/facts/types.js';

const queries: FactQuery[] = [
  { kind: 'file', path: '/etc/hostname' },
  { kind: 'stat', path: '/usr/bin/env', hash: false },
  { kind: 'sysctl', key: 'net.core.somaxconn' },
  { kind: 'cmd', argv: ['sh', '-c', 'echo "$1"', 'x', 'a b'], inShell: true },
  { kind: 'file', path: '/etc/hostname' },
];
const live = { root: '', offline: false };

test('a gather script is the one composed for its unique queries and target, each time it is asked', () => {
  const want = composeGatherScript(uniqueQueries(queries), live);
  assert.equal(gatherScript(live, queries), want);
  assert.equal(gatherScript(live, structuredClone(queries)), want);
  const unique = uniqueQueries(queries);
  assert.equal(uniqueQueries(unique), unique, 'a list uniqueQueries made is taken as it is');
  const copy = structuredClone(unique);
  assert.notEqual(uniqueQueries(copy), copy, 'an equal list it did not make is made unique again');
  assert.deepEqual(uniqueQueries(copy), unique);
  assert.equal(gatherScript(live, unique), want, 'a list made unique is taken as it is');
});

test('other queries, a stat that hashes, another root or an offline target each get their own script', () => {
  const base = gatherScript(live, queries);
  const variants: [typeof live, FactQuery[]][] = [
    [live, [...queries, { kind: 'unit', name: 'ssh.service' }]],
    [live, queries.map((q) => (q.kind === 'stat' ? { kind: 'stat', path: q.path } : q))],
    [{ root: '/srv/leaf1', offline: true }, queries],
    [{ root: '/srv/leaf2', offline: true }, queries],
    [{ root: '', offline: true }, queries],
  ];
  for (const [target, qs] of variants) {
    const script = gatherScript(target, qs);
    assert.equal(script, composeGatherScript(uniqueQueries(qs), target));
    assert.notEqual(script, base);
  }
});
