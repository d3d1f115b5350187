// The native write lane (daemon/native/lane.c): isolated changes of known ports are written by
// the addon's thread, everything else by Node, in order, and STATE_DB always ends equal to the
// kernel: across renames, deletes and new links, a Redis restart, a password, and with the lane off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Redis } from 'ioredis';
import { converged, DaemonProc, Netns, RedisServer, sleep, waitFor } from '../helpers/env.js';

const NATIVE = 'portsyncd_redis_native_writes_total';
// Every link counts here: which ports are configured is upstream.test.ts's concern.
const MIRROR = { mirror_all_ports: true };

async function withDaemon(
  redisOptions: Record<string, unknown>,
  fn: (ns: Netns, state: Redis, daemon: DaemonProc, http: number, redis: RedisServer) => Promise<void>,
  beforeStart: (redis: RedisServer, state: Redis) => Promise<void> = async () => {},
): Promise<void> {
  const ns = new Netns();
  const redis = new RedisServer(ns.dir);
  let daemon: DaemonProc | undefined;
  try {
    await redis.start();
    ns.addPorts([0, 4, 8, 12]);
    const state = redis.client(6);
    await state.ping();
    await beforeStart(redis, state);
    daemon = new DaemonProc(ns, { redis: { unix_socket: redis.socket, ...redisOptions }, settings: MIRROR });
    const http = await daemon.ready();
    await converged(ns, state);
    await fn(ns, state, daemon, http, redis);
  } finally {
    await daemon?.kill();
    await redis.stop();
    ns.destroy();
  }
}

/** One change at a time to Ethernet0, 4 or 8, each awaited in Redis, so the daemon is idle before each. */
async function isolatedChanges(ns: Netns, state: Redis, count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i++) {
    ns.batch([`link set Ethernet${(i % 3) * 4} ${i % 2 ? 'up' : 'down'}`]);
    await converged(ns, state);
  }
}

test('isolated changes go through the native lane; renames, deletes and new links through Node, in order', () =>
  withDaemon({}, async (ns, state, daemon, http) => {
    const m0 = daemon.metrics(http);
    await isolatedChanges(ns, state, 10);
    const m1 = daemon.metrics(http);
    const lane = m1.get(NATIVE)! - m0.get(NATIVE)!;
    assert.ok(lane >= 5, `${lane} of 10 isolated changes written by the lane`);
    assert.ok(m1.get('portsyncd_redis_writes_total')! - m0.get('portsyncd_redis_writes_total')! >= lane);
    assert.ok(m1.get('portsyncd_event_latency_seconds_count')! - m0.get('portsyncd_event_latency_seconds_count')! >= lane);

    // Within one batch: a port changed, then renamed away; another deleted; a new one; an MTU change.
    ns.batch([
      'link set Ethernet4 up',
      'link set Ethernet4 down',
      'link set Ethernet4 name Ethernet40',
      'link del Ethernet8',
      'link add Ethernet16 type veth peer name peer16',
      'link set Ethernet12 mtu 9000',
      'link set Ethernet0 up',
    ]);
    await converged(ns, state);
    assert.equal(await state.exists('PORT_TABLE|Ethernet4', 'PORT_TABLE|Ethernet8'), 0);
    assert.equal(await state.hget('PORT_TABLE|Ethernet12', 'mtu'), '9000');

    // The renamed and the new port are known to the lane once Node has written them. Node hands
    // the lane back only when it is idle again, which a loaded machine can delay past one change.
    const before = daemon.metrics(http).get(NATIVE)!;
    let i = 0;
    await waitFor('the lane writing the renamed and the new port', async () => {
      ns.batch([`link set ${i % 2 ? 'Ethernet16' : 'Ethernet40'} ${i++ % 4 < 2 ? 'up' : 'down'}`]);
      await converged(ns, state);
      return daemon.metrics(http).get(NATIVE)! > before || undefined;
    });
  }));

test('Redis killed and restarted: what the lane could not write goes through Node, and the lane reconnects', () =>
  withDaemon({}, async (ns, state, daemon, http, redis) => {
    await isolatedChanges(ns, state, 4);
    await redis.kill();
    ns.batch(['link set Ethernet0 up', 'link set Ethernet4 mtu 4000', 'link del Ethernet12']);
    await sleep(300);
    await redis.start(); // empty: the daemon's full reconcile refills it
    const fresh = redis.client(6);
    await converged(ns, fresh);
    const after = daemon.metrics(http).get(NATIVE)!;
    let i = 0;
    // The lane retries its connection at most once a second.
    await waitFor('the lane writing again', async () => {
      await isolatedChanges(ns, fresh, 1, i++);
      return daemon.metrics(http).get(NATIVE)! > after || undefined;
    });
  }));

test('the lane authenticates with the configured password', () =>
  withDaemon(
    { password: 'lane-secret' },
    async (ns, state, daemon, http) => {
      const before = daemon.metrics(http).get(NATIVE)!;
      await isolatedChanges(ns, state, 4);
      assert.ok(daemon.metrics(http).get(NATIVE)! > before, 'the lane wrote with AUTH');
    },
    // The test's own connection, opened before, stays authenticated.
    (_redis, state) => state.config('SET', 'requirepass', 'lane-secret').then(() => undefined),
  ));

test('with redis.native_writes false, Node writes every change', () =>
  withDaemon({ native_writes: false }, async (ns, state, daemon, http) => {
    await isolatedChanges(ns, state, 6);
    assert.equal(daemon.metrics(http).get(NATIVE), 0);
  }));
