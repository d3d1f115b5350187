import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { converged, DaemonProc, Netns, RedisServer, waitFor } from '../helpers/env.js';
import { NotifyListener } from '../helpers/notify.js';

let ns: Netns;
let redis: RedisServer;
let daemon: DaemonProc;
let notify: NotifyListener;
let httpPort: number;
// The sync machinery over every link; configured-port filtering is in upstream.test.ts.
const MIRROR = { mirror_all_ports: true };

before(async () => {
  ns = new Netns();
  ns.addPorts([0, 4, 8, 12]);
  ns.batch(['link set Ethernet0 up', 'link set Ethernet4 up mtu 9100', 'link add eth7 type veth peer name peer7']);
  redis = new RedisServer(ns.dir);
  await redis.start();
  const config = redis.client(4);
  await config.hset('PORT|Ethernet0', { lanes: '0,1,2,3', speed: '100000' });
  await config.hset('PORT|Ethernet4', { lanes: '4,5,6,7', speed: '100000' });
  await redis.client(6).hset('PORT_TABLE|Ethernet96', { state: 'ok' }); // stale key from an earlier run
  notify = new NotifyListener(join(ns.dir, 'notify.sock'));
  await notify.bound;
  daemon = new DaemonProc(ns, {
    redis: { unix_socket: redis.socket, password: 'not-logged-secret' },
    env: { NOTIFY_SOCKET: join(ns.dir, 'notify.sock'), WATCHDOG_USEC: '200000' },
    settings: MIRROR,
  });
  httpPort = await daemon.ready();
});

after(async () => {
  await daemon?.kill();
  notify?.stop();
  await redis?.stop();
  ns?.destroy();
});

test('the initial dump fills STATE_DB and removes stale port keys', async () => {
  const state = redis.client(6);
  await converged(ns, state);
  assert.deepEqual(await state.hgetall('PORT_TABLE|Ethernet4'), { state: 'ok', netdev_oper_status: 'up', admin_status: 'up', mtu: '9100' });
  assert.deepEqual(await state.hgetall('PORT_TABLE|Ethernet8'), {
    state: 'ok',
    netdev_oper_status: 'down',
    admin_status: 'down',
    mtu: '1500',
  });
  assert.equal(await state.exists('PORT_TABLE|Ethernet96', 'PORT_TABLE|eth7', 'PORT_TABLE|peer0'), 0);
  assert.equal(await state.hget('WARM_RESTART_TABLE|portsyncd', 'restore_count'), '0');
});

test('APPL_DB gets CONFIG_DB ports, PortConfigDone and PortInitDone as a producer state table', async () => {
  const appl = redis.client(0);
  await waitFor('PortInitDone', async () => (await appl.exists('_PORT_TABLE:PortInitDone')) === 1 || undefined);
  assert.deepEqual(await appl.hgetall('_PORT_TABLE:Ethernet0'), { lanes: '0,1,2,3', speed: '100000' });
  assert.deepEqual(await appl.hgetall('_PORT_TABLE:PortConfigDone'), { count: '2' });
  assert.deepEqual(await appl.hgetall('_PORT_TABLE:PortInitDone'), { lanes: '0' });
  assert.deepEqual((await appl.smembers('PORT_TABLE_KEY_SET')).sort(), ['Ethernet0', 'Ethernet4', 'PortConfigDone', 'PortInitDone']);
});

test('up, down, MTU change and delete are reflected', async () => {
  const state = redis.client(6);
  ns.batch(['link set Ethernet8 up', 'link set Ethernet0 down', 'link set Ethernet12 mtu 4000', 'link del Ethernet4']);
  await converged(ns, state);
  assert.equal(await state.hget('PORT_TABLE|Ethernet8', 'netdev_oper_status'), 'up');
  assert.equal(await state.hget('PORT_TABLE|Ethernet0', 'admin_status'), 'down');
  assert.equal(await state.hget('PORT_TABLE|Ethernet12', 'mtu'), '4000');
  assert.equal(await state.exists('PORT_TABLE|Ethernet4'), 0);
  ns.addPorts([16]);
  await converged(ns, state);
});

test('/healthz, /metrics and sd_notify report a healthy, synced daemon', async () => {
  const health = ns.httpGet(httpPort, '/healthz');
  assert.equal(health.status, 200);
  assert.equal(JSON.parse(health.body).initial_sync_done, true);
  const m = daemon.metrics(httpPort);
  assert.ok(m.get('portsyncd_netlink_rcvbuf_bytes')! >= 16 << 20);
  assert.equal(m.get('portsyncd_netlink_drops_total'), 0);
  assert.equal(m.get('portsyncd_redis_connected'), 1);
  assert.ok(m.get('portsyncd_event_latency_seconds_count')! > 0);
  assert.ok(m.get('portsyncd_process_resident_memory_bytes')! > 0);
  const heap = (kind: string) => m.get(`portsyncd_heap_bytes{kind="${kind}"}`)!;
  assert.ok(
    heap('used') > 0 && heap('used') <= heap('total') && heap('total') < m.get('portsyncd_process_resident_memory_bytes')!,
    'heap used within reserved, within the resident set',
  );
  for (const name of [
    'portsyncd_netlink_socket_drops_total',
    'portsyncd_process_context_switches_total{kind="voluntary"}',
    'portsyncd_process_page_faults_total{kind="minor"}',
    'portsyncd_netlink_events_total{type="newlink"}',
    'portsyncd_ports{oper_status="up"}',
    'portsyncd_redis_writes_total',
    'portsyncd_batch_size_messages_count',
  ]) {
    assert.ok(m.has(name), `metric ${name}`);
  }
  await waitFor(
    'READY and WATCHDOG',
    () => (notify.messages.includes('READY=1') && notify.messages.includes('WATCHDOG=1')) || undefined,
    3000,
  );
  assert.ok(!JSON.stringify(daemon.logs).includes('not-logged-secret'), 'the password never reaches the log');
});

test('after the initial sync, start-up pages of read-only file mappings are released and the resident set shrinks', async () => {
  const line = await waitFor('release logged', () => daemon.log('start-up pages released'));
  const { mappings, failed, rss_before_bytes: before, rss_after_bytes: after } = line as Record<string, number>;
  assert.ok(mappings > 0, 'some mappings qualified');
  assert.equal(failed, 0);
  assert.ok(after < before * 0.8, `RSS ${before} -> ${after} bytes`);
});

test('SIGHUP keeps running; SIGTERM flushes, saves state and exits 0 within 2 s', async () => {
  daemon.signal('SIGHUP');
  await waitFor('reload', () => daemon.log('log level reloaded'));
  const [code, ms] = await daemon.terminate();
  assert.equal(code, 0);
  assert.ok(ms < 2000, `exit took ${ms} ms`);
  assert.ok(notify.messages.includes('STOPPING=1'));
});
