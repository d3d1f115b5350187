// Preparing every host gives the event loop turns between hosts, so that a connection opened
// ahead of it (here a real loopback TCP connect) advances while the rest is prepared, not after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Module } from '../../../src/module.js';
import type { PlanEnv, RegistryLike } from '../../../src/plan/types.js';
import type { Transport } from '../../../src/transport/types.js';
import { prepareAll } from '../../../src/exec/prepare-all.js';
import { EventLoopTurns } from '../../../src/exec/event-loop-turns.js';
import { HostSessions } from '../../../src/exec/session.js';
import { testPlay } from '../../helpers/play.js';

const noop: Module<{ path: string }> = { name: 'noop', schema: {}, needs: () => [], diff: () => [] };
const registry: RegistryLike = {
  get: (n) => (n === 'noop' ? (noop as unknown as Module) : undefined),
  validateArgs: () => [],
  handlers: () => new Map(),
};

/** What happened, in order: each host's task rendered, and the connection's "connect". */
function recordingEnv(order: string[]): PlanEnv {
  return {
    registry,
    renderArgs: (a, vars) => {
      order.push(`prepare ${String(vars.inventory_hostname)}`);
      return a;
    },
    renderTemplate: () => '',
    evalWhen: () => true,
    check: true,
    tags: { only: [], skip: [] },
  };
}

const pos = { file: 'site.yaml', line: 1, col: 1 };
const plays = (n: number) => [
  {
    play: testPlay({ tasks: [{ name: 't', module: 'noop', args: { path: '/x' }, tags: [], notify: [], listen: [], pos }] }),
    hosts: Array.from({ length: n }, (_, i) => ({ name: `h${i}`, vars: { inventory_hostname: `h${i}` } })),
  },
];
const sessions = () => new HostSessions(() => ({ offline: true }) as Transport);

/** Prepares `hosts` hosts with `turns` while a loopback connection, started just before, completes. */
async function prepareBesideConnect(hosts: number, turns: EventLoopTurns): Promise<string[]> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const order: string[] = [];
  const connected = new Promise<void>((resolve) => {
    const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', () => {
      order.push('connected');
      socket.destroy();
      resolve();
    });
  });
  try {
    await prepareAll(plays(hosts), recordingEnv(order), sessions(), turns);
    await connected;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  return order;
}

test('a connection started before preparing completes between hosts, before the last one is prepared', async () => {
  const order = await prepareBesideConnect(50, new EventLoopTurns(0));
  assert.equal(order.filter((e) => e.startsWith('prepare')).length, 50);
  assert.ok(order.indexOf('connected') < order.indexOf('prepare h49'), order.join(', '));
});

test('with no turn due, preparing runs through every host before the connection is served', async () => {
  const order = await prepareBesideConnect(50, new EventLoopTurns(Number.POSITIVE_INFINITY));
  assert.equal(order.at(-1), 'connected');
});

test('a turn is due only once its slice has passed since the last one', async () => {
  assert.equal(new EventLoopTurns(Number.POSITIVE_INFINITY).due(), undefined);
  const every = new EventLoopTurns(0);
  const turn = every.due();
  assert.ok(turn instanceof Promise);
  await turn;
});
