// What a host's plays ask for adds up to one list: unique, in the order first asked, the same
// list from one read to the next until a play asks for more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FactCache } from '../../../src/exec/fact-cache.js';
import type { HostSessions } from '../../../src/exec/session.js';
import type { FactQuery } from '../../../src/facts/types.js';

const noSessions = {} as HostSessions;

test('the queries of several plays come back once each, hashed where any play asked for a hash', () => {
  const cache = new FactCache(noSessions);
  cache.want('sw1', [
    { kind: 'file', path: '/etc/a' },
    { kind: 'stat', path: '/etc/b', hash: false },
  ]);
  cache.want('sw1', [
    { kind: 'sysctl', key: 'vm.swappiness' },
    { kind: 'file', path: '/etc/a' },
  ]);
  cache.want('sw2', [{ kind: 'unit', name: 'x.service' }]);
  cache.want('sw1', [{ kind: 'stat', path: '/etc/b' }]);
  const expected: FactQuery[] = [
    { kind: 'file', path: '/etc/a' },
    { kind: 'stat', path: '/etc/b' },
    { kind: 'sysctl', key: 'vm.swappiness' },
  ];
  assert.deepEqual(cache.queries('sw1'), expected);
  assert.deepEqual(cache.queries('sw2'), [{ kind: 'unit', name: 'x.service' }]);
  assert.deepEqual(cache.queries('sw3'), []);
});

test('a read gives the same list until a play asks for more, which it then holds too', () => {
  const cache = new FactCache(noSessions);
  cache.want('sw1', [{ kind: 'file', path: '/etc/a' }]);
  const first = cache.queries('sw1');
  assert.equal(cache.queries('sw1'), first);
  cache.want('sw1', [
    { kind: 'file', path: '/etc/a' },
    { kind: 'file', path: '/etc/c' },
  ]);
  assert.deepEqual(cache.queries('sw1'), [
    { kind: 'file', path: '/etc/a' },
    { kind: 'file', path: '/etc/c' },
  ]);
});
