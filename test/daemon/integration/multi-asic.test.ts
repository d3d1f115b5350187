// Multi-ASIC: one portsyncd per ASIC namespace, each on that namespace's netlink and on the
// Redis instance database_global.json names for it. Two network namespaces stand for asic0
// and asic1, each with its own redis-server and ports; the two daemons must not cross.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { configurePorts, converged, DaemonProc, Netns, RedisServer } from '../helpers/env.js';

function databaseConfig(socket: string): object {
  const db = (id: number, separator: string) => ({ id, separator, instance: 'redis' });
  return {
    INSTANCES: { redis: { hostname: '127.0.0.1', port: 6379, unix_socket_path: socket } },
    DATABASES: { APPL_DB: db(0, ':'), CONFIG_DB: db(4, '|'), STATE_DB: db(6, '|') },
    VERSION: '1.0',
  };
}

test("one daemon per ASIC namespace writes that namespace's ports to that namespace's Redis", async () => {
  const asics = [new Netns(), new Netns()];
  const redis = asics.map((ns) => new RedisServer(ns.dir));
  const daemons: DaemonProc[] = [];
  try {
    // SONiC's layout: <run>/redis/sonic-db/database_global.json includes <run>/redisN/sonic-db/database_config.json.
    const run = join(asics[0]!.dir, 'run');
    const includes: object[] = [{ include: '../../redis/sonic-db/database_config.json' }];
    for (const [i, r] of redis.entries()) {
      await r.start();
      mkdirSync(join(run, `redis${i}/sonic-db`), { recursive: true });
      writeFileSync(join(run, `redis${i}/sonic-db/database_config.json`), JSON.stringify(databaseConfig(r.socket)));
      includes.push({ namespace: `asic${i}`, include: `../../redis${i}/sonic-db/database_config.json` });
    }
    mkdirSync(join(run, 'redis/sonic-db'), { recursive: true });
    writeFileSync(join(run, 'redis/sonic-db/database_config.json'), JSON.stringify(databaseConfig(join(run, 'no-host-redis.sock'))));
    const global = join(run, 'redis/sonic-db/database_global.json');
    writeFileSync(global, JSON.stringify({ INCLUDES: includes, VERSION: '1.0' }));

    const portsOf = [asics[0]!.addPorts([0, 4, 8]), asics[1]!.addPorts([12, 16])];
    asics[1]!.batch(['link set Ethernet16 up']);
    for (const [i, ns] of asics.entries()) {
      await configurePorts(redis[i]!, portsOf[i]!);
      daemons.push(new DaemonProc(ns, { redis: {}, settings: { sonic_db_config: global, sonic_namespace: `asic${i}` } }));
    }
    for (const d of daemons) await d.ready();
    for (const [i, ns] of asics.entries()) await converged(ns, redis[i]!.client(6));
    asics[0]!.batch(['link set Ethernet0 up', 'link del Ethernet8']);
    asics[1]!.batch(['link set Ethernet16 mtu 9000']);
    for (const [i, ns] of asics.entries()) await converged(ns, redis[i]!.client(6));
    assert.deepEqual((await redis[1]!.client(6).keys('PORT_TABLE|*')).sort(), ['PORT_TABLE|Ethernet12', 'PORT_TABLE|Ethernet16']);
    assert.equal(daemons[1]!.log('databases')?.namespace, 'asic1');
  } finally {
    for (const d of daemons) await d.kill();
    for (const r of redis) await r.stop();
    for (const ns of asics) ns.destroy();
  }
});
