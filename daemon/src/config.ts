// Configuration: a YAML (or JSON) file given with --config. Unknown keys and
// wrong types are errors naming the key, the value and the fix.
import { readFileSync } from 'node:fs';
import { LEVELS, type Level } from './obs/log.js';

export interface Config {
  redis: { host: string; port: number; path?: string; password?: string; connectTimeoutMs: number; minWriteIntervalMs: number };
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
  '': ['redis', 'netlink', 'http', 'state_file', 'state_save_interval_ms', 'release_startup_pages', 'log_level'],
  redis: ['host', 'port', 'unix_socket', 'password', 'connect_timeout_ms', 'min_write_interval_ms'],
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
    doc = looksLikeJson(text) ? JSON.parse(text) : ((await import('yaml')).parse(text) ?? {});
  } catch (e) {
    throw new ConfigError(`config ${file}: not valid YAML/JSON: ${(e as Error).message}`);
  }
  return parseConfig(doc, file);
}

function looksLikeJson(text: string): boolean {
  return text.trimStart().startsWith('{');
}

export function parseConfig(doc: unknown, file = '<config>'): Config {
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
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(sec ? `${sec}.${k}` : k, `must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
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
  const password = redis.password;
  if (password !== undefined && password !== null && typeof password !== 'string') fail('redis.password', 'must be a string');
  return {
    redis: {
      host: str(redis, 'redis.host', 'host', '127.0.0.1')!,
      port: int(redis, 'redis', 'port', 6379, 1, 65535),
      path: str(redis, 'redis.unix_socket', 'unix_socket'),
      password: typeof password === 'string' && password !== '' ? password : undefined,
      connectTimeoutMs: int(redis, 'redis', 'connect_timeout_ms', 2000, 1, 600000),
      minWriteIntervalMs: int(redis, 'redis', 'min_write_interval_ms', 1, 0, 1000),
    },
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
