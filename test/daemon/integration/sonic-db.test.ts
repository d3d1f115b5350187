// The databases found through SONiC's database_config.json: the instance's unix socket and
// each database's id, against a real Redis; explicit redis: settings still win for the socket.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { converged, DaemonProc, Netns, RedisServer, waitFor } from '../helpers/env.js';

function writeDbConfig(file: string, socket: string): void {
  const db = (id: number, separator: string) => ({ id, separator, instance: 'redis' });
  writeFileSync(
    file,
    JSON.stringify({
      INSTANCES: { redis: { hostname: '127.0.0.1', port: 1, unix_socket_path: socket } }, // port 1: TCP would fail
      DATABASES: { APPL_DB: db(1, ':'), CONFIG_DB: db(3, '|'), STATE_DB: db(7, '|') },
      VERSION: '1.0',
    }),
  );
}

test('sonic_db_config gives the socket and the ids of APPL_DB, CONFIG_DB and STATE_DB', async () => {
  const ns = new Netns();
  const redis = new RedisServer(ns.dir);
  try {
    await redis.start();
    ns.addPorts([0, 4]);
    await redis.client(3).hset('PORT|Ethernet0', { lanes: '0' });
    await redis.client(3).hset('PORT|Ethernet4', { lanes: '4' });
    const file = join(ns.dir, 'database_config.json');
    writeDbConfig(file, redis.socket);
    const daemon = new DaemonProc(ns, { redis: {}, settings: { sonic_db_config: file } });
    try {
      await daemon.ready();
      await converged(ns, redis.client(7));
      await waitFor('PortInitDone in APPL_DB 1', async () => (await redis.client(1).exists('_PORT_TABLE:PortInitDone')) === 1 || undefined);
      assert.equal(await redis.client(6).dbsize(), 0, 'nothing in the fixed STATE_DB id');
      assert.deepEqual(daemon.log('databases')?.state, `unix:${redis.socket}/7`);
    } finally {
      await daemon.kill();
    }
    // The file's socket is wrong; redis.unix_socket wins, the ids still come from the file.
    writeDbConfig(file, join(ns.dir, 'nowhere.sock'));
    await redis.client(7).flushdb();
    const second = new DaemonProc(ns, { redis: { unix_socket: redis.socket }, settings: { sonic_db_config: file } });
    try {
      await second.ready();
      await converged(ns, redis.client(7));
    } finally {
      await second.kill();
    }
    writeFileSync(file, '{"INSTANCES": {}}');
    const bad = new DaemonProc(ns, { redis: {}, settings: { sonic_db_config: file } });
    const code = await new Promise((r) => bad.proc.once('exit', r));
    assert.equal(code, 78);
    assert.match(JSON.stringify(bad.logs), /sonic_db_config: .*DATABASES must be an object/);
  } finally {
    await redis.stop();
    ns.destroy();
  }
});
