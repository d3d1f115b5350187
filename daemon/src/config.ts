// Configuration: a YAML (or JSON) file given with --config. Unknown keys and
// wrong types are errors naming the key, the value and the fix.
import { existsSync, readFileSync } from 'node:fs';
import { LEVELS, type Level } from './obs/log.js';
import type { RedisTarget } from './redis/connect.js';
import { DEFAULT_SONIC_DB_CONFIG, DEFAULT_SONIC_DB_GLOBAL_CONFIG, resolveSonicDbs, SonicDbConfigError } from './redis/sonic-db-config.js';
import { APPL_DB, CONFIG_DB, STATE_DB } from './redis/sonic.js';

/** Where one SONiC database is: its Redis and its DB id. */
export interface DbTarget {
  target: RedisTarget;
  db: number;
}

export interface Config {
  redis: {
    host: string;
    port: number;
    path?: string;
    password?: string;
    connectTimeoutMs: number;
    minWriteIntervalMs: number;
    /** Isolated port changes written by the addon's thread (native/lane.c) instead of through Node. */
    nativeWrites: boolean;
  };
  /** APPL_DB, CONFIG_DB and STATE_DB: from sonic_db_config unless redis.host/port/unix_socket are given. */
  databases: { appl: DbTarget; config: DbTarget; state: DbTarget };
  /** The database_config.json (or database_global.json) read, if any. */
  sonicDbConfig?: string;
  sonicNamespace?: string;
  /** Write every Ethernet/PortChannel link, not only ports configured in APPL_DB PORT_TABLE or CONFIG_DB PORT. */
  mirrorAllPorts: boolean;
  netlink: { rcvbufBytes: number; rcvbufForce: boolean; readBufferBytes: number };
  http: { host: string; port: number };
  stateFile: string;
  stateSaveIntervalMs: number;
  releaseStartupPages: boolean;
  logLevel: Level;
}

export class ConfigError extends Error {}

type Obj = Record<string, unknown>;

const KNOWN: Record<string, string[]> = {
  '': [
    'redis',
    'netlink',
    'http',
    'sonic_db_config',
    'sonic_namespace',
    'mirror_all_ports',
    'state_file',
    'state_save_interval_ms',
    'release_startup_pages',
    'log_level',
  ],
  redis: ['host', 'port', 'unix_socket', 'password', 'password_file', 'connect_timeout_ms', 'min_write_interval_ms', 'native_writes'],
  netlink: ['rcvbuf_bytes', 'rcvbuf_force', 'read_buffer_bytes'],
  http: ['host', 'port'],
};

/**
 * Reads the file as JSON when it is JSON, else as YAML. The YAML parser is
 * only loaded for YAML files: it costs several MB of resident memory.
 */
export async function loadConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`config ${file}: cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    // No code frame in the message: the config may hold the Redis password.
    doc = looksLikeJson(text) ? JSON.parse(text) : ((await import('yaml')).parse(text, { prettyErrors: false }) ?? {});
  } catch (e) {
    throw new ConfigError(`config ${file}: not valid YAML/JSON: ${(e as Error).message}`);
  }
  return parseConfig(doc, file);
}

/** The Redis password from the file `redis.password_file` names (its first line), so the
 *  config itself may stay readable; never from the command line. */
function passwordFromFile(redis: Obj, fail: (key: string, msg: string) => never, fs: ConfigFs): string {
  const file = redis.password_file;
  if (redis.password !== undefined) fail('redis.password_file', 'give either password or password_file, not both');
  if (typeof file !== 'string' || !file.startsWith('/'))
    fail('redis.password_file', `must be an absolute path (got ${JSON.stringify(file)})`);
  try {
    return fs.read(file as string).split(/\r?\n/)[0]!;
  } catch (e) {
    return fail('redis.password_file', `cannot read ${file as string}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

function looksLikeJson(text: string): boolean {
  return text.trimStart().startsWith('{');
}

/** File access for sonic_db_config; tests pass their own. */
export interface ConfigFs {
  read(path: string): string;
  exists(path: string): boolean;
}
const realFs: ConfigFs = { read: (p) => readFileSync(p, 'utf8'), exists: existsSync };

export function parseConfig(doc: unknown, file = '<config>', fs: ConfigFs = realFs): Config {
  const fail = (key: string, what: string): never => {
    throw new ConfigError(`config ${file}: ${key}: ${what}`);
  };
  const section = (name: string): Obj => {
    const v = name === '' ? doc : (doc as Obj)[name];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) return fail(name || 'top level', 'must be a mapping');
    for (const k of Object.keys(v)) {
      if (!KNOWN[name]!.includes(k)) fail(name ? `${name}.${k}` : k, `unknown key; expected one of ${KNOWN[name]!.join(', ')}`);
    }
    return v as Obj;
  };
  const int = (o: Obj, sec: string, k: string, def: number, min: number, max: number): number => {
    const v = o[k] ?? def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      fail(sec ? `${sec}.${k}` : k, `must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
    return v as number;
  };
  const str = (o: Obj, key: string, k: string, def?: string): string | undefined => {
    const v = o[k] ?? def;
    if (v !== undefined && (typeof v !== 'string' || v === '')) fail(key, `must be a non-empty string (got ${JSON.stringify(v)})`);
    return v as string | undefined;
  };
  const top = section('');
  const redis = section('redis');
  const netlink = section('netlink');
  const http = section('http');
  const bool = (o: Obj, key: string, k: string, def: boolean): boolean => {
    const v = o[k] ?? def;
    if (typeof v !== 'boolean') fail(key, `must be true or false (got ${JSON.stringify(v)})`);
    return v as boolean;
  };
  const level = top.log_level ?? 'info';
  if (!LEVELS.includes(level as Level)) fail('log_level', `must be one of ${LEVELS.join(', ')} (got ${JSON.stringify(level)})`);
  const password = redis.password_file !== undefined ? passwordFromFile(redis, fail, fs) : redis.password;
  if (password !== undefined && password !== null && typeof password !== 'string') fail('redis.password', 'must be a string');
  const redisConfig: Config['redis'] = {
    host: str(redis, 'redis.host', 'host', '127.0.0.1')!,
    port: int(redis, 'redis', 'port', 6379, 1, 65535),
    path: str(redis, 'redis.unix_socket', 'unix_socket'),
    password: typeof password === 'string' && password !== '' ? password : undefined,
    connectTimeoutMs: int(redis, 'redis', 'connect_timeout_ms', 2000, 1, 600000),
    minWriteIntervalMs: int(redis, 'redis', 'min_write_interval_ms', 1, 0, 1000),
    nativeWrites: bool(redis, 'redis.native_writes', 'native_writes', true),
  };
  const sonicNamespace = str(top, 'sonic_namespace', 'sonic_namespace');
  if (sonicNamespace !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(sonicNamespace))
    fail('sonic_namespace', `must be a namespace name such as asic0 (got ${JSON.stringify(sonicNamespace)})`);
  const explicitDbConfig = str(top, 'sonic_db_config', 'sonic_db_config');
  const defaultDbConfig = sonicNamespace !== undefined ? DEFAULT_SONIC_DB_GLOBAL_CONFIG : DEFAULT_SONIC_DB_CONFIG;
  // SONiC's standard file is used when present; a file named in the config (or needed for a namespace) must be readable.
  const sonicDbConfig = explicitDbConfig ?? (sonicNamespace !== undefined || fs.exists(defaultDbConfig) ? defaultDbConfig : undefined);
  const explicitRedis = ['host', 'port', 'unix_socket'].some((k) => redis[k] !== undefined);
  const fixed = (db: number): DbTarget => ({ target: redisConfig, db });
  let databases = { appl: fixed(APPL_DB), config: fixed(CONFIG_DB), state: fixed(STATE_DB) };
  if (sonicDbConfig !== undefined) {
    try {
      const dbs = resolveSonicDbs(sonicDbConfig, sonicNamespace, fs.read);
      const at = (name: keyof typeof dbs): DbTarget => {
        const d = dbs[name];
        const target = explicitRedis ? redisConfig : { ...redisConfig, host: d.host, port: d.port, path: d.path };
        return { target, db: d.id };
      };
      databases = { appl: at('APPL_DB'), config: at('CONFIG_DB'), state: at('STATE_DB') };
    } catch (e) {
      if (!(e instanceof SonicDbConfigError)) throw e;
      fail(
        explicitDbConfig !== undefined ? 'sonic_db_config' : sonicNamespace !== undefined ? 'sonic_namespace' : 'sonic_db_config (default)',
        `${e.message}; fix the file or set sonic_db_config to a readable database_config.json`,
      );
    }
  }
  return {
    redis: redisConfig,
    databases,
    sonicDbConfig,
    sonicNamespace,
    mirrorAllPorts: bool(top, 'mirror_all_ports', 'mirror_all_ports', false),
    netlink: {
      rcvbufBytes: int(netlink, 'netlink', 'rcvbuf_bytes', 16 << 20, 1024, 1 << 30),
      rcvbufForce: bool(netlink, 'netlink.rcvbuf_force', 'rcvbuf_force', true),
      readBufferBytes: int(netlink, 'netlink', 'read_buffer_bytes', 256 << 10, 64, 64 << 20),
    },
    http: {
      host: str(http, 'http.host', 'host', '127.0.0.1')!,
      port: int(http, 'http', 'port', 9464, 0, 65535),
    },
    stateFile: str(top, 'state_file', 'state_file', '/var/lib/portsyncd/state.json')!,
    stateSaveIntervalMs: int(top, '', 'state_save_interval_ms', 1000, 10, 3600000),
    releaseStartupPages: bool(top, 'release_startup_pages', 'release_startup_pages', true),
    logLevel: level as Level,
  };
}
