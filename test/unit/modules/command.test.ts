import { test } from 'node:test';
import assert from 'node:assert/strict';
import command from '../../../modules/command/index.js';
import type { CommandArgs } from '../../../modules/command/schema.js';
import type { StatFact } from '../../../src/facts/types.js';
import { fakeContext, fakeFacts, type FakeFactsData } from '../../helpers/fake-facts.js';
import { validateArgs, withDefaults } from './support.js';

const MARK = '/var/lib/portsyncd/.initialised';
const exists: StatFact = { type: 'file', mode: '0644', owner: 'root', group: 'root', size: 0 };

function plan(facts: FakeFactsData, a: Record<string, unknown>) {
  return command.diff(fakeFacts(facts), withDefaults<CommandArgs>(command.schema, a), fakeContext());
}

test('argv runs as given, without a shell', () => {
  assert.deepEqual(plan({}, { argv: ['redis-cli', '-n', '6', 'PING'] }), [
    { summary: 'run redis-cli -n 6 PING', ops: [{ kind: 'exec', argv: ['redis-cli', '-n', '6', 'PING'] }] },
  ]);
});

test('cmd runs through /bin/sh -c; the summary quotes it', () => {
  const [c] = plan({}, { cmd: 'echo "$(hostname)" > /tmp/x' });
  assert.deepEqual(c.ops, [{ kind: 'exec', argv: ['/bin/sh', '-c', 'echo "$(hostname)" > /tmp/x'] }]);
  assert.equal(c.summary, `run /bin/sh -c 'echo "$(hostname)" > /tmp/x'`);
});

test('creates: skipped when the path exists, runs when it does not', () => {
  assert.deepEqual(plan({ stats: { [MARK]: exists } }, { argv: ['init'], creates: MARK }), []);
  assert.equal(plan({}, { argv: ['init'], creates: MARK }).length, 1);
});

test('removes: runs only when the path exists', () => {
  assert.deepEqual(plan({}, { argv: ['cleanup'], removes: MARK }), []);
  assert.equal(plan({ stats: { [MARK]: exists } }, { argv: ['cleanup'], removes: MARK }).length, 1);
});

test('changed_when: false runs the command but reports ok', () => {
  const [c] = plan({}, { argv: ['true'], changed_when: false });
  assert.equal(c.changed, false);
  assert.equal(c.ops.length, 1);
  assert.equal(plan({}, { argv: ['true'] })[0].changed, undefined);
});

test('never runs in check mode: the module opts out of planning there', () => {
  assert.equal(command.skipInCheck, true);
});

test('needs: stat of creates and removes only', () => {
  assert.deepEqual(command.needs(withDefaults(command.schema, { argv: ['x'] }), fakeContext()), []);
  assert.deepEqual(command.needs(withDefaults(command.schema, { argv: ['x'], creates: '/a', removes: '/b' }), fakeContext()), [
    { kind: 'stat', path: '/a' },
    { kind: 'stat', path: '/b' },
  ]);
});

test('schema: exactly one of argv and cmd; absolute creates/removes', () => {
  assert.equal(validateArgs(command.schema, {}).ok, false);
  assert.equal(validateArgs(command.schema, { argv: ['a'], cmd: 'a' }).ok, false);
  assert.equal(validateArgs(command.schema, { argv: [] }).ok, false);
  assert.equal(validateArgs(command.schema, { cmd: 'a', creates: 'rel' }).ok, false);
  assert.equal(validateArgs(command.schema, { cmd: 'a', changed_when: 'no' }).ok, false);
  assert.ok(validateArgs(command.schema, { cmd: 'a', creates: '/x' }).ok);
});
