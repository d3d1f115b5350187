import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WRITE_BURST } from '../../../daemon/src/redis/write-budget.js';
import { configurePorts, converged, DaemonProc, flapLines, Netns, RedisServer, sleep, waitFor } from '../helpers/env.js';

const range = (n: number, step = 4) => Array.from({ length: n }, (_, i) => i * step);

async function withEnv(fn: (ns: Netns, redis: RedisServer) => Promise<void>, redisInNetns = false): Promise<void> {
  const ns = new Netns();
  const redis = redisInNetns ? new RedisServer(ns.dir, ns, 6379) : new RedisServer(ns.dir);
  try {
    await redis.start();
    await fn(ns, redis);
  } finally {
    await redis.stop();
    ns.destroy();
  }
}

test('10,000 flaps across 32 ports end with Redis equal to the kernel (Redis over TCP, every write at once)', () =>
  withEnv(async (ns, redis) => {
    const ports = ns.addPorts(range(32));
    await configurePorts(redis, ports);
    const daemon = new DaemonProc(ns, { redis: { host: '127.0.0.1', port: 6379, min_write_interval_ms: 0 } });
    try {
      await daemon.ready();
      ns.batch([...flapLines(ports, 10000, 3), ...ports.slice(0, 8).map((p, i) => `link set ${p} mtu ${1500 + i}`)]);
      await converged(ns, redis.client(6));
    } finally {
      await daemon.kill();
    }
  }, true));

test('with a minimum write interval, 10,000 flaps still end with Redis equal to the kernel', () =>
  withEnv(async (ns, redis) => {
    const ports = ns.addPorts(range(32));
    await configurePorts(redis, ports);
    const daemon = new DaemonProc(ns, { redis: { unix_socket: redis.socket, min_write_interval_ms: 2 } });
    try {
      const http = await daemon.ready();
      ns.batch(flapLines(ports, 10000, 4));
      const state = redis.client(6);
      await converged(ns, state);
      ns.batch([`link set ${ports[0]} mtu 1600`]); // an isolated change after the storm
      await converged(ns, state);
      const m = daemon.metrics(http);
      assert.ok(m.get('portsyncd_write_ports_sum')! > m.get('portsyncd_write_ports_count')!, 'writes carried several ports');
    } finally {
      await daemon.kill();
    }
  }));

test('once the burst is spent, changes within the write interval are held back and go out together', () =>
  withEnv(async (ns, redis) => {
    const ports = ns.addPorts(range(2 * WRITE_BURST));
    await configurePorts(redis, ports);
    const daemon = new DaemonProc(ns, { redis: { unix_socket: redis.socket, min_write_interval_ms: 1000 } });
    try {
      const http = await daemon.ready();
      const state = redis.client(6);
      const writes = () => daemon.metrics(http).get('portsyncd_redis_writes_total')!;
      const start = writes();
      // Far longer apart than a write takes: unpaced, each change would be a write of its own.
      // Paced, whatever is left of the burst (start-up carrier events spend some) goes out at
      // once and the rest waits for the interval.
      for (const [i, p] of ports.entries()) {
        ns.batch([`link set ${p} mtu ${1600 + i}`]);
        await sleep(20);
      }
      await converged(ns, state);
      assert.ok(writes() - start < ports.length, `${writes() - start} writes for ${ports.length} changes`);
      // Separate ip runs, one change each. The bucket holds at most WRITE_BURST tokens and gains
      // one per interval (1 s), so however slowly a loaded machine runs them, at most
      // WRITE_BURST + elapsed seconds + 1 writes can carry them: the rest go out together.
      const before = writes();
      const t0 = Date.now();
      const changes = 3 * WRITE_BURST;
      for (let i = 0; i < changes; i++) ns.batch([`link set ${ports[i % ports.length]} mtu ${1700 + i}`]);
      const elapsedS = Math.ceil((Date.now() - t0) / 1000);
      await converged(ns, state);
      const n = writes() - before;
      assert.ok(n <= Math.min(changes - 1, WRITE_BURST + elapsedS + 1), `${n} writes for ${changes} changes made in ${elapsedS} s`);
    } finally {
      await daemon.kill();
    }
  }));

test('a forced overflow counts drops, and the resync restores equality, deleted ports included', () =>
  withEnv(async (ns, redis) => {
    const ports = ns.addPorts(range(32));
    await configurePorts(redis, ports);
    const daemon = new DaemonProc(ns, { redis: { unix_socket: redis.socket }, netlink: { rcvbuf_bytes: 4096 } });
    try {
      const http = await daemon.ready();
      assert.ok(daemon.log('netlink receive buffer below requested size') ?? daemon.log('netlink receive buffer'));
      daemon.signal('SIGSTOP'); // let the queue overflow for certain
      ns.batch([...flapLines(ports, 3000, 5), ...ports.slice(20).map((p) => `link del ${p}`), ...flapLines(ports.slice(0, 20), 500, 6)]);
      daemon.signal('SIGCONT');
      const state = redis.client(6);
      await converged(ns, state);
      for (const p of ports.slice(20)) assert.equal(await state.exists(`PORT_TABLE|${p}`), 0, `${p} deleted during overflow`);
      const m = daemon.metrics(http);
      assert.ok(m.get('portsyncd_netlink_drops_total')! > 0, 'drops counted');
      assert.ok(m.get('portsyncd_resyncs_total{reason="enobufs"}')! > 0, 'resync counted');
      assert.ok(m.get('portsyncd_netlink_socket_drops_total')! > 0, '/proc/net/netlink drops seen');
    } finally {
      await daemon.kill();
    }
  }));

test('Redis killed and restarted in the middle of a storm: the state converges', () =>
  withEnv(async (ns, redis) => {
    const ports = ns.addPorts(range(32));
    // Redis comes back empty, CONFIG_DB included: every link counts here, as configured ports are not the point.
    const daemon = new DaemonProc(ns, { redis: { unix_socket: redis.socket }, settings: { mirror_all_ports: true } });
    try {
      const http = await daemon.ready();
      ns.batch(flapLines(ports, 2000, 7));
      await redis.kill();
      ns.batch([...flapLines(ports, 2000, 8), `link del ${ports[31]}`]);
      await sleep(300);
      assert.equal(ns.httpGet(http, '/healthz').status, 503, 'unhealthy while Redis is down');
      await redis.start();
      ns.batch(flapLines(ports.slice(0, 31), 1000, 9));
      await converged(ns, redis.client(6));
      await waitFor('healthy again', () => ns.httpGet(http, '/healthz').status === 200 || undefined);
    } finally {
      await daemon.kill();
    }
  }));

test('datagrams larger than the read buffer grow it, and nothing is lost or resynced', () =>
  withEnv(async (ns, redis) => {
    const ports = ns.addPorts(range(4));
    await configurePorts(redis, ports);
    const alias = 'a'.repeat(250); // IFLA_IFALIAS makes every message of these links larger
    ns.batch(ports.slice(0, 2).map((p) => `link set ${p} alias ${alias}`));
    const daemon = new DaemonProc(ns, { redis: { unix_socket: redis.socket }, netlink: { read_buffer_bytes: 256 } });
    try {
      const http = await daemon.ready();
      const state = redis.client(6);
      await converged(ns, state);
      ns.batch([
        ...ports.slice(2).map((p) => `link set ${p} alias ${alias}`),
        ...flapLines(ports, 200, 12),
        `link set ${ports[3]} mtu 2000`,
      ]);
      await converged(ns, state);
      const m = daemon.metrics(http);
      assert.ok(m.get('portsyncd_netlink_read_buffer_grows_total')! > 0, 'the read buffer grew');
      assert.equal(m.get('portsyncd_netlink_drops_total'), 0);
      assert.equal(m.get('portsyncd_resyncs_total{reason="truncated"}') ?? 0, 0, 'no datagram was cut short');
      assert.equal(m.get('portsyncd_dumps_completed_total'), 1, 'only the initial dump');
    } finally {
      await daemon.kill();
    }
  }));
