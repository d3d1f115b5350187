// Multi-ASIC lab switches (`lab up --asics leaf2=2`): inside the switch, one network namespace per
// ASIC (asic0, asic1, …) with front-panel ports of its own and a Redis of its own, found as on a
// multi-ASIC SONiC switch through /var/run/redis/sonic-db/database_global.json, which includes
// /var/run/redisN/sonic-db/database_config.json per namespace. The switch creates the namespaces
// at every boot (they live and die with it, as on a switch); the files are written into its own
// layer at `up`.
import { rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError, type Problem } from '../src/errors.js';
import { configDbCommands, databaseConfig, writeLayerFiles } from './sonic-layout.js';
import { portNames, portPeer } from './topology.js';

export const MAX_ASICS = 4;
export const DATABASE_GLOBAL = '/var/run/redis/sonic-db/database_global.json';
const STORED_GLOBAL = '/etc/sonic/database_global.json';
const NETNS_SCRIPT = '/usr/local/lib/portsync-lab/asic-namespaces';
const REDIS_INIT = '/usr/local/lib/portsync-lab/asic-db-init';
const NETNS_UNIT = 'portsync-lab-asics.service';
/** Instance N is the Redis of namespace asicN. */
const REDIS_UNIT = 'redis-asic@.service';
const UNIT_DIR = '/etc/systemd/system';
const WANTS_DIR = `${UNIT_DIR}/multi-user.target.wants`;

export const asicNamespaces = (count: number): string[] => Array.from({ length: count }, (_, k) => `asic${k}`);
export const asicSocket = (k: number) => `/var/run/redis${k}/redis.sock`;
const storedDbConfig = (k: number) => `/etc/sonic/asic${k}/database_config.json`;
const storedConfigDb = (k: number) => `/etc/sonic/asic${k}/config_db.redis`;

/** ASIC k's ports are numbered after the switch's own and the lower ASICs', so every name is unique on the switch. */
export function asicPortNames(ports: number, k: number): string[] {
  return portNames(ports * (k + 2)).slice(ports * (k + 1));
}

/** `leaf2=2,leaf3=2` → { leaf2: 2, leaf3: 2 }. */
export function parseAsics(text: string): { asics: Record<string, number>; problems: Problem[] } {
  const asics: Record<string, number> = {};
  const problems: Problem[] = [];
  for (const item of text.split(',')) {
    const m = /^([a-z][a-z0-9]*)=(\d+)$/.exec(item);
    if (!m) problems.push({ message: `--asics "${item}" is not SWITCH=N`, hint: 'e.g. --asics leaf2=2' });
    else if (Number(m[2]) < 1 || Number(m[2]) > MAX_ASICS) problems.push({ message: `--asics ${item}: use 1 to ${MAX_ASICS} ASICs` });
    else asics[m[1]!] = Number(m[2]);
  }
  return { asics, problems };
}

/** Every switch --asics names must be one of the lab's. */
export function checkAsicSwitches(asics: Record<string, number>, switches: string[]): void {
  const unknown = Object.keys(asics).filter((s) => !switches.includes(s));
  if (unknown.length)
    throw new ValidationError([
      { message: `--asics names ${unknown.join(', ')}, which the lab does not have`, hint: `switches: ${switches.join(', ')}` },
    ]);
}

/** database_global.json: the host's own databases, then one include per ASIC namespace. */
export function databaseGlobal(count: number): string {
  const includes = [
    { include: '../../redis/sonic-db/database_config.json' },
    ...asicNamespaces(count).map((namespace, k) => ({ namespace, include: `../../redis${k}/sonic-db/database_config.json` })),
  ];
  return `${JSON.stringify({ INCLUDES: includes, VERSION: '1.0' }, null, 2)}\n`;
}

/** The boot script: each namespace, its loopback and its ports (veth pairs, both ends up). */
export function namespaceScript(count: number, ports: number): string {
  const lines = asicNamespaces(count).map((ns, k) => {
    const batch = [
      'link set lo up',
      ...asicPortNames(ports, k).flatMap((p) => [
        `link add ${p} type veth peer name ${portPeer(p)}`,
        `link set ${portPeer(p)} up`,
        `link set ${p} up`,
      ]),
    ];
    return `[ -e /run/netns/${ns} ] || { ip netns add ${ns} && printf '%s\\n' ${batch.map((l) => `'${l}'`).join(' ')} | ip -n ${ns} -batch -; }`;
  });
  return `#!/bin/sh
# ASIC namespaces of this lab switch (written by portsync-deploy lab up).
set -eu
${lines.join('\n')}
install -d -m 0755 ${path.dirname(DATABASE_GLOBAL)}
ln -sf ${STORED_GLOBAL} ${DATABASE_GLOBAL}
`;
}

const REDIS_INIT_SCRIPT = `#!/bin/sh
# ASIC $1's database layout: its database_config.json linked where database_global.json points,
# its CONFIG_DB PORT table loaded (written by portsync-deploy lab up).
set -eu
install -d -m 0755 /var/run/redis$1/sonic-db
ln -sf /etc/sonic/asic$1/database_config.json /var/run/redis$1/sonic-db/database_config.json
redis-cli -s /var/run/redis$1/redis.sock -n 4 < /etc/sonic/asic$1/config_db.redis > /dev/null
`;

const NETNS_UNIT_TEXT = `[Unit]
Description=ASIC network namespaces of this lab switch
Before=network.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${NETNS_SCRIPT}

[Install]
WantedBy=multi-user.target
`;

// Redis on 127.0.0.1:6379 inside the namespace and on its own unix socket, as an ASIC's database
// container; nothing kept on disk, as the lab's main Redis.
const REDIS_UNIT_TEXT = `[Unit]
Description=Redis of ASIC namespace asic%i
Requires=${NETNS_UNIT}
After=${NETNS_UNIT}

[Service]
Type=notify
NetworkNamespacePath=/run/netns/asic%i
User=redis
Group=redis
RuntimeDirectory=redis%i
RuntimeDirectoryPreserve=yes
ExecStart=/usr/bin/redis-server --port 6379 --bind 127.0.0.1 --unixsocket /var/run/redis%i/redis.sock --unixsocketperm 777 --save "" --appendonly no --supervised systemd --daemonize no
ExecStartPost=+${REDIS_INIT} %i
Restart=always

[Install]
WantedBy=multi-user.target
`;

export async function writeAsicLayout(root: string, count: number, ports: number): Promise<void> {
  await writeLayerFiles(root, [
    [STORED_GLOBAL, databaseGlobal(count), 0o644],
    ...asicNamespaces(count).flatMap((_, k): Array<[string, string, number]> => [
      [storedDbConfig(k), databaseConfig(asicSocket(k)), 0o644],
      [storedConfigDb(k), configDbCommands(asicPortNames(ports, k)), 0o644],
    ]),
    [NETNS_SCRIPT, namespaceScript(count, ports), 0o755],
    [REDIS_INIT, REDIS_INIT_SCRIPT, 0o755],
    [`${UNIT_DIR}/${NETNS_UNIT}`, NETNS_UNIT_TEXT, 0o644],
    [`${UNIT_DIR}/${REDIS_UNIT}`, REDIS_UNIT_TEXT, 0o644],
  ]);
  const wants = [NETNS_UNIT, ...asicNamespaces(count).map((_, k) => REDIS_UNIT.replace('@', `@${k}`))];
  for (const unit of wants) {
    const link = path.join(root, WANTS_DIR, unit);
    await rm(link, { force: true });
    await symlink(`${UNIT_DIR}/${unit.includes('@') ? REDIS_UNIT : unit}`, link);
  }
}
