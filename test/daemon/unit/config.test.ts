import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, parseConfig } from '../../../daemon/src/config.js';
import { repoRoot } from '../helpers/env.js';

test('the example YAML config loads with its documented defaults', async () => {
  const c = await loadConfig(join(repoRoot(), 'daemon/portsyncd.example.yaml'));
  assert.equal(c.netlink.rcvbufBytes, 16 << 20);
  assert.equal(c.redis.minWriteIntervalMs, 1);
  assert.equal(c.logLevel, 'info');
  assert.equal(c.releaseStartupPages, true);
});

test('release_startup_pages is a boolean; anything else is refused with the key named', () => {
  assert.equal(parseConfig({ release_startup_pages: false }).releaseStartupPages, false);
  assert.throws(() => parseConfig({ release_startup_pages: 'no' }), /release_startup_pages: must be true or false \(got "no"\)/);
});

test('redis.native_writes is on by default, off when set false, and refused when not a boolean', () => {
  assert.equal(parseConfig({}).redis.nativeWrites, true);
  assert.equal(parseConfig({ redis: { native_writes: false } }).redis.nativeWrites, false);
  assert.throws(() => parseConfig({ redis: { native_writes: 'off' } }), /redis\.native_writes: must be true or false \(got "off"\)/);
});

test('a JSON config loads without the YAML parser, and a bad one names the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-cfg-'));
  try {
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ redis: { unix_socket: '/run/redis.sock', min_write_interval_ms: 2 } }));
    const c = await loadConfig(file);
    assert.equal(c.redis.path, '/run/redis.sock');
    assert.equal(c.redis.minWriteIntervalMs, 2);
    writeFileSync(file, '{ "redis": ');
    await assert.rejects(loadConfig(file), (e: Error) => e instanceof ConfigError && e.message.includes(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const SONIC_DB = {
  INSTANCES: {
    redis: { hostname: '127.0.0.1', port: 6379, unix_socket_path: '/var/run/redis/redis.sock' },
    redis2: { hostname: '10.0.0.2', port: 6380, unix_socket_path: '' },
  },
  DATABASES: {
    APPL_DB: { id: 0, separator: ':', instance: 'redis' },
    CONFIG_DB: { id: 4, separator: '|', instance: 'redis' },
    STATE_DB: { id: 12, separator: '|', instance: 'redis2' },
  },
  VERSION: '1.0',
};
const GLOBAL = {
  INCLUDES: [
    { include: '../../redis/sonic-db/database_config.json' },
    { namespace: 'asic1', include: '../../redis1/sonic-db/database_config.json' },
  ],
  VERSION: '1.0',
};

function fakeFs(files: Record<string, unknown>) {
  return {
    read: (p: string) => {
      if (!(p in files)) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return typeof files[p] === 'string' ? (files[p] as string) : JSON.stringify(files[p]);
    },
    exists: (p: string) => p in files,
  };
}

test('SONiC database_config.json at the standard path gives each database its instance and id', () => {
  const fs = fakeFs({ '/var/run/redis/sonic-db/database_config.json': SONIC_DB });
  const c = parseConfig({}, 'c.yaml', fs);
  assert.equal(c.sonicDbConfig, '/var/run/redis/sonic-db/database_config.json');
  assert.deepEqual([c.databases.appl.db, c.databases.config.db, c.databases.state.db], [0, 4, 12]);
  assert.equal(c.databases.appl.target.path, '/var/run/redis/redis.sock');
  assert.equal(c.databases.state.target.path, undefined, 'no socket: TCP');
  assert.equal(`${c.databases.state.target.host}:${c.databases.state.target.port}`, '10.0.0.2:6380');
});

test('explicit redis: settings win over the file for where Redis is; the DB ids still come from it', () => {
  const fs = fakeFs({ '/var/run/redis/sonic-db/database_config.json': SONIC_DB });
  const c = parseConfig({ redis: { unix_socket: '/tmp/r.sock', password: 'x' } }, 'c.yaml', fs);
  assert.equal(c.databases.state.target.path, '/tmp/r.sock');
  assert.equal(c.databases.state.target.password, 'x');
  assert.equal(c.databases.state.db, 12);
});

test('without a database_config.json the fixed SONiC ids and redis: apply', () => {
  const c = parseConfig({ redis: { port: 6400 } }, 'c.yaml', fakeFs({}));
  assert.equal(c.sonicDbConfig, undefined);
  assert.deepEqual([c.databases.appl.db, c.databases.config.db, c.databases.state.db], [0, 4, 6]);
  assert.equal(c.databases.config.target.port, 6400);
});

test('a namespace reads its include of database_global.json, relative to that file', () => {
  const fs = fakeFs({
    '/var/run/redis/sonic-db/database_global.json': GLOBAL,
    '/var/run/redis1/sonic-db/database_config.json': {
      ...SONIC_DB,
      INSTANCES: { redis: { hostname: '127.0.0.1', port: 6379, unix_socket_path: '/var/run/redis1/redis.sock' } },
      DATABASES: { ...SONIC_DB.DATABASES, STATE_DB: { id: 6, separator: '|', instance: 'redis' } },
    },
  });
  const c = parseConfig({ sonic_namespace: 'asic1' }, 'c.yaml', fs);
  assert.equal(c.databases.state.target.path, '/var/run/redis1/redis.sock');
  assert.throws(
    () => parseConfig({ sonic_namespace: 'asic7' }, 'c.yaml', fs),
    /sonic_namespace: .*no include for namespace asic7; it lists \(default\), asic1/,
  );
});

test('a named sonic_db_config that is missing or broken is refused with the file and the fault', () => {
  assert.throws(
    () => parseConfig({ sonic_db_config: '/etc/db.json' }, 'c.yaml', fakeFs({})),
    /config c\.yaml: sonic_db_config: \/etc\/db\.json: cannot read: ENOENT/,
  );
  const broken = fakeFs({ '/etc/db.json': { ...SONIC_DB, DATABASES: { ...SONIC_DB.DATABASES, STATE_DB: { id: 6, instance: 'nope' } } } });
  assert.throws(
    () => parseConfig({ sonic_db_config: '/etc/db.json' }, 'c.yaml', broken),
    /DATABASES\.STATE_DB\.instance names "nope", which INSTANCES lacks/,
  );
  assert.throws(() => parseConfig({ sonic_namespace: 'asic 1' }, 'c.yaml', fakeFs({})), /sonic_namespace: must be a namespace name/);
});

test('mirror_all_ports defaults to false (upstream: configured ports only)', () => {
  assert.equal(parseConfig({}, 'c', fakeFs({})).mirrorAllPorts, false);
  assert.equal(parseConfig({ mirror_all_ports: true }, 'c', fakeFs({})).mirrorAllPorts, true);
});

test('the Redis password comes from the config or from the file redis.password_file names (first line), not both', () => {
  const fs = fakeFs({ '/etc/portsyncd/redis.pass': 's3cret-from-file\nignored\n' });
  assert.equal(parseConfig({ redis: { password: 'inline' } }, 'c', fs).redis.password, 'inline');
  assert.equal(parseConfig({ redis: { password_file: '/etc/portsyncd/redis.pass' } }, 'c', fs).redis.password, 's3cret-from-file');
  assert.throws(
    () => parseConfig({ redis: { password: 'x', password_file: '/etc/portsyncd/redis.pass' } }, 'c', fs),
    /either password or password_file/,
  );
  assert.throws(
    () => parseConfig({ redis: { password_file: '/etc/missing' } }, 'c', fs),
    /redis\.password_file: cannot read \/etc\/missing: ENOENT/,
  );
  assert.throws(() => parseConfig({ redis: { password_file: 'relative' } }, 'c', fs), /absolute path/);
});
