import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveSonicDbs } from '../../../daemon/src/redis/sonic-db-config.js';
import { configDbCommands, databaseConfig, REDIS_SOCKET, SONIC_DB_CONFIG } from '../../../lab/sonic-layout.js';

test('the lab database_config.json is what portsyncd reads from SONiC: the socket and the standard ids', () => {
  const dbs = resolveSonicDbs(SONIC_DB_CONFIG, undefined, () => databaseConfig());
  assert.deepEqual([dbs.APPL_DB.id, dbs.CONFIG_DB.id, dbs.STATE_DB.id], [0, 4, 6]);
  assert.equal(dbs.STATE_DB.path, REDIS_SOCKET);
});

test('CONFIG_DB commands: one PORT entry per front-panel port, four lanes each', () => {
  const lines = configDbCommands(['Ethernet0', 'Ethernet4', 'Ethernet8']).trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[1], 'HSET "PORT|Ethernet4" lanes "4,5,6,7" alias "etp2" speed "100000" admin_status "up" mtu "9100"');
});
