// Upstream portsyncd's rules (sonic-swss portsyncd/linksync.cpp) at the default
// configuration, against a real kernel and a real Redis: STATE_DB only for ports in
// APPL_DB PORT_TABLE (or CONFIG_DB PORT), DELLINK deletes whatever the name, DELLINK
// of an enslaved link is ignored, and messages for a port's previous ifindex after a
// restart are ignored. (Team links: this kernel has no team driver; the unit tests
// of the tracker cover them.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DaemonProc, Netns, RedisServer, waitFor } from '../helpers/env.js';

let ns: Netns;
let redis: RedisServer;
let daemon: DaemonProc;
let http: number;

const keys = async () => (await redis.client(6).keys('PORT_TABLE|*')).map((k) => k.slice('PORT_TABLE|'.length)).sort();

before(async () => {
  ns = new Netns();
  ns.addPorts([0, 4, 8, 12]);
  ns.batch(['link add PortChannel5 type veth peer name pcpeer5', 'link add br0 type bridge', 'link set Ethernet0 up']);
  redis = new RedisServer(ns.dir);
  await redis.start();
  await redis.client(4).hset('PORT|Ethernet0', { lanes: '0' });
  await redis.client(4).hset('PORT|Ethernet4', { lanes: '4' });
  await redis.client(0).hset('PORT_TABLE:Ethernet8', { lanes: '8', admin_status: 'up' }); // as orchagent leaves it
  await redis.client(6).hset('PORT_TABLE|Ethernet12', { state: 'ok' }); // written by an earlier mirror-all run
  daemon = new DaemonProc(ns, { redis: { unix_socket: redis.socket } });
  http = await daemon.ready();
});

after(async () => {
  await daemon?.kill();
  await redis?.stop();
  ns?.destroy();
});

test('STATE_DB holds only ports configured in CONFIG_DB PORT or APPL_DB PORT_TABLE', async () => {
  await waitFor('configured ports written', async () => ((await keys()).join() === 'Ethernet0,Ethernet4,Ethernet8' ? true : undefined));
  assert.equal(await redis.client(6).hget('PORT_TABLE|Ethernet0', 'admin_status'), 'up');
});

test('changes of unconfigured Ethernet and PortChannel links are not written; configured ones are', async () => {
  const skipped = () => daemon.metrics(http).get('portsyncd_ports_not_configured_total') ?? 0;
  const before = skipped();
  ns.batch(['link set Ethernet12 up', 'link set PortChannel5 up', 'link set Ethernet0 mtu 1600']);
  await waitFor('Ethernet0 mtu', async () => ((await redis.client(6).hget('PORT_TABLE|Ethernet0', 'mtu')) === '1600' ? true : undefined));
  await waitFor('the skipped updates counted', () => (skipped() >= before + 2 ? true : undefined));
  assert.deepEqual(await keys(), ['Ethernet0', 'Ethernet4', 'Ethernet8']);
});

test('a port added to APPL_DB PORT_TABLE later is written at its next change', async () => {
  await redis.client(0).hset('PORT_TABLE:Ethernet12', { lanes: '12' });
  let mtu = 2000;
  await waitFor('Ethernet12 in STATE_DB', async () => {
    ns.batch([`link set Ethernet12 mtu ${++mtu}`]); // a missing name is looked up again after a second
    return (await redis.client(6).hget('PORT_TABLE|Ethernet12', 'mtu')) === String(mtu) ? true : undefined;
  });
});

test('DELLINK of a link that leaves a bridge is ignored; DELLINK of the link deletes its key', async () => {
  ns.batch(['link set Ethernet8 master br0', 'link set Ethernet8 nomaster', 'link set Ethernet0 mtu 1700']);
  await waitFor('Ethernet0 mtu', async () => ((await redis.client(6).hget('PORT_TABLE|Ethernet0', 'mtu')) === '1700' ? true : undefined));
  assert.equal(await redis.client(6).exists('PORT_TABLE|Ethernet8'), 1, 'leaving the bridge is not a deletion');
  await redis.client(6).hset('PORT_TABLE|PortChannel5', { state: 'ok' });
  ns.batch(['link del Ethernet8', 'link del PortChannel5']);
  await waitFor('keys deleted', async () => ((await keys()).join() === 'Ethernet0,Ethernet12,Ethernet4' ? true : undefined));
});

test("after a restart, messages for a port's previous ifindex are ignored", async () => {
  await redis.client(4).hset('PORT|Ethernet20', { lanes: '20' });
  await redis.client(4).hset('PORT|Ethernet24', { lanes: '24' });
  ns.addPorts([20]);
  await waitFor('Ethernet20 written', async () => ((await keys()).includes('Ethernet20') ? true : undefined));
  const [code] = await daemon.terminate();
  assert.equal(code, 0);
  // While the daemon is down the port's netdev is replaced, the old one still alive under another
  // configured name, as during a swss restart's cleanup.
  ns.batch([
    'link set Ethernet20 name Ethernet24',
    'link add Ethernet20 type veth peer name peer20b',
    'link set peer20b up',
    'link set Ethernet20 up',
  ]);
  daemon = new DaemonProc(ns, { redis: { unix_socket: redis.socket } }, daemon.stateFile);
  http = await daemon.ready();
  await waitFor('new Ethernet20 up', async () =>
    (await redis.client(6).hget('PORT_TABLE|Ethernet20', 'admin_status')) === 'up' ? true : undefined,
  );
  ns.batch(['link set Ethernet24 up', 'link set Ethernet24 mtu 3000', 'link del Ethernet24', 'link set Ethernet0 mtu 1800']);
  await waitFor('Ethernet0 mtu', async () => ((await redis.client(6).hget('PORT_TABLE|Ethernet0', 'mtu')) === '1800' ? true : undefined));
  assert.equal(await redis.client(6).exists('PORT_TABLE|Ethernet24'), 0, 'the old netdev is never written');
  assert.equal(await redis.client(6).hget('PORT_TABLE|Ethernet20', 'admin_status'), 'up', 'its deletion does not touch the port');
  assert.ok(daemon.metrics(http).get('portsyncd_netlink_events_total{type="stale_ifindex"}')! >= 3);
  ns.addPorts([24]); // a new netdev under that name is a port like any other
  await waitFor('new Ethernet24 written', async () => ((await keys()).includes('Ethernet24') ? true : undefined));
});
