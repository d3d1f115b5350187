// Which hosts a run starts connecting to while it loads: the first --forks hosts in the order the
// plays name them, none of a play whose connection settings are wrong (the run stops at them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EarlyConnections } from '../../../src/cli/early-connect.js';
import { LocalTransport } from '../../../src/transport/local.js';

const local = (...names: string[]) => names.map((name) => ({ name, vars: { connection: 'local' } }));
const opts = { acceptNewHostKeys: false, log: () => {} };

function started(early: EarlyConnections, names: string[]): string[] {
  return names.filter((n) => {
    try {
      early.sessions.existing(n);
      return true;
    } catch {
      return false;
    }
  });
}

test('the first --forks hosts of the run start, in play order, each once', async () => {
  const early = new EarlyConnections(3, opts);
  await early.playHosts(local('a', 'b'));
  assert.deepEqual(started(early, ['a', 'b', 'c', 'd', 'e']), ['a', 'b']);
  await early.playHosts(local('b', 'c', 'd', 'e'));
  assert.deepEqual(started(early, ['a', 'b', 'c', 'd', 'e']), ['a', 'b', 'c']);
  await early.sessions.closeAll();
});

test('a play whose connection settings are wrong starts nothing, and nothing starts after it', async () => {
  const early = new EarlyConnections(5, opts);
  await early.playHosts([...local('a'), { name: 'b', vars: { connection: 'telnet' } }]);
  await early.playHosts(local('c'));
  assert.deepEqual(started(early, ['a', 'b', 'c']), []);
});

test("once the run's own factory is adopted, the sessions make every later transport with it", async () => {
  const early = new EarlyConnections(1, opts);
  await early.playHosts(local('a', 'b'));
  const made: string[] = [];
  const earlyTransport = early.sessions.existing('a');
  early.adopt((host) => {
    made.push(host);
    return new LocalTransport();
  });
  early.sessions.transport('b', { connection: 'local' });
  assert.deepEqual(made, ['b']);
  assert.equal(early.sessions.existing('a'), earlyTransport, 'a transport already made is kept');
  await early.sessions.closeAll();
});
