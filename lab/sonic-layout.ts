// SONiC's database layout on a lab switch: Redis on its unix socket, described by
// /var/run/redis/sonic-db/database_config.json, and CONFIG_DB's PORT table loaded at
// every Redis start (the lab's Redis keeps nothing on disk, as SONiC reloads
// config_db.json). Written into the switch's own layer at `up`, not into the shared
// rootfs. Redis's start (ExecStartPost, as root) links the file into its runtime
// directory, which is kept across Redis restarts so the link stays.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { portNames } from './topology.js';

export const REDIS_SOCKET = '/var/run/redis/redis.sock';
export const SONIC_DB_CONFIG = '/var/run/redis/sonic-db/database_config.json';
const STORED_DB_CONFIG = '/etc/sonic/database_config.json';
const CONFIG_DB_COMMANDS = '/etc/sonic/config_db.redis';
const INIT_SCRIPT = '/usr/local/lib/portsync-lab/sonic-db-init';
const REDIS_DROPIN = '/etc/systemd/system/redis-server.service.d/50-sonic-db.conf';

/** database_config.json as sonic-swss-common reads it: one instance, SONiC's DB ids. */
export function databaseConfig(socket = REDIS_SOCKET, port = 6379): string {
  const dbs: Array<[string, number, string]> = [
    ['APPL_DB', 0, ':'],
    ['ASIC_DB', 1, ':'],
    ['COUNTERS_DB', 2, ':'],
    ['CONFIG_DB', 4, '|'],
    ['FLEX_COUNTER_DB', 5, '|'],
    ['STATE_DB', 6, '|'],
  ];
  return `${JSON.stringify(
    {
      INSTANCES: { redis: { hostname: '127.0.0.1', port, unix_socket_path: socket, persistence_for_warm_boot: 'yes' } },
      DATABASES: Object.fromEntries(dbs.map(([name, id, separator]) => [name, { id, separator, instance: 'redis' }])),
      VERSION: '1.0',
    },
    null,
    2,
  )}\n`;
}

/** CONFIG_DB PORT entries, one HSET per port (EthernetN has lanes N to N+3), as redis-cli reads them from stdin. */
export function configDbCommands(ports: string[]): string {
  return ports
    .map((name) => {
      const n = Number(name.replace(/^Ethernet/, ''));
      return `HSET "PORT|${name}" lanes "${n},${n + 1},${n + 2},${n + 3}" alias "etp${n / 4 + 1}" speed "100000" admin_status "up" mtu "9100"\n`;
    })
    .join('');
}

const INIT = `#!/bin/sh
# SONiC's database layout for this lab switch (written by portsync-deploy lab up).
set -eu
install -d -m 0755 ${path.dirname(SONIC_DB_CONFIG)}
ln -sf ${STORED_DB_CONFIG} ${SONIC_DB_CONFIG}
redis-cli -s ${REDIS_SOCKET} -n 4 < ${CONFIG_DB_COMMANDS} > /dev/null
`;

const DROPIN = `[Service]
# SONiC's layout: database_config.json in Redis's runtime directory, CONFIG_DB loaded at start.
RuntimeDirectoryPreserve=yes
ExecStartPost=+${INIT_SCRIPT}
`;

export async function writeSonicLayout(root: string, ports: number): Promise<void> {
  await writeLayerFiles(root, [
    [STORED_DB_CONFIG, databaseConfig(), 0o644],
    [CONFIG_DB_COMMANDS, configDbCommands(portNames(ports)), 0o644],
    [INIT_SCRIPT, INIT, 0o755],
    [REDIS_DROPIN, DROPIN, 0o644],
  ]);
}

/** Files (switch path, content, mode) written into the switch's own layer under `root`. */
export async function writeLayerFiles(root: string, files: Array<[string, string, number]>): Promise<void> {
  for (const [file, text, mode] of files) {
    const target = path.join(root, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text, { mode });
  }
}
