// SONiC's database layout (sonic-swss-common SonicDBConfig): database_config.json
// names Redis instances (unix_socket_path, hostname, port) and, per database, its
// instance and id. Multi-ASIC systems have database_global.json, whose INCLUDES
// list one database_config.json per namespace (paths relative to the global file).
// Pure: the caller passes the file reader.
import { dirname, join } from 'node:path';

export const DEFAULT_SONIC_DB_CONFIG = '/var/run/redis/sonic-db/database_config.json';
export const DEFAULT_SONIC_DB_GLOBAL_CONFIG = '/var/run/redis/sonic-db/database_global.json';
export const DATABASES = ['APPL_DB', 'CONFIG_DB', 'STATE_DB'] as const;
export type DbName = (typeof DATABASES)[number];

export interface SonicDb {
  id: number;
  /** Where its instance listens: SONiC clients use the unix socket when it has one. */
  path?: string;
  host: string;
  port: number;
}

export type SonicDbs = Record<DbName, SonicDb>;

export class SonicDbConfigError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The three databases portsyncd uses, from the file at `file`. With a namespace,
 * `file` is database_global.json and the namespace's include is read.
 */
export function resolveSonicDbs(file: string, namespace: string | undefined, read: (path: string) => string): SonicDbs {
  const doc = readJson(file, read);
  if (namespace !== undefined || 'INCLUDES' in doc) {
    const includes = doc.INCLUDES;
    if (!Array.isArray(includes)) throw new SonicDbConfigError(`${file}: INCLUDES must be a list`);
    const entry = includes.find((e): e is Obj => isObj(e) && (e.namespace ?? '') === (namespace ?? ''));
    if (!entry || typeof entry.include !== 'string') {
      const known = includes.filter(isObj).map((e) => (typeof e.namespace === 'string' && e.namespace ? e.namespace : '(default)'));
      throw new SonicDbConfigError(`${file}: no include for namespace ${namespace ?? '(default)'}; it lists ${known.join(', ') || 'none'}`);
    }
    const inner = join(dirname(file), entry.include);
    return databasesOf(inner, readJson(inner, read));
  }
  return databasesOf(file, doc);
}

function readJson(file: string, read: (path: string) => string): Obj {
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    throw new SonicDbConfigError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SonicDbConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (!isObj(doc)) throw new SonicDbConfigError(`${file}: must be a JSON object`);
  return doc;
}

function databasesOf(file: string, doc: Obj): SonicDbs {
  const fail = (what: string): never => {
    throw new SonicDbConfigError(`${file}: ${what}`);
  };
  const instances = isObj(doc.INSTANCES) ? doc.INSTANCES : fail('INSTANCES must be an object');
  const databases = isObj(doc.DATABASES) ? doc.DATABASES : fail('DATABASES must be an object');
  const out = {} as SonicDbs;
  for (const name of DATABASES) {
    const db = databases[name];
    if (!isObj(db)) fail(`DATABASES.${name} is missing`);
    const d = db as Obj;
    if (typeof d.id !== 'number' || !Number.isInteger(d.id) || d.id < 0 || d.id > 15)
      fail(`DATABASES.${name}.id must be an integer from 0 to 15`);
    if (typeof d.instance !== 'string') fail(`DATABASES.${name}.instance must be a string`);
    const inst = instances[d.instance as string];
    if (!isObj(inst)) fail(`DATABASES.${name}.instance names ${JSON.stringify(d.instance)}, which INSTANCES lacks`);
    const i = inst as Obj;
    const port = i.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)
      fail(`INSTANCES.${d.instance as string}.port must be an integer from 0 to 65535`);
    const path = typeof i.unix_socket_path === 'string' && i.unix_socket_path !== '' ? i.unix_socket_path : undefined;
    const host = typeof i.hostname === 'string' && i.hostname !== '' ? i.hostname : '127.0.0.1';
    if (!path && port === 0) fail(`INSTANCES.${d.instance as string} has neither unix_socket_path nor a port`);
    out[name] = { id: d.id as number, path, host, port: port as number };
  }
  return out;
}
