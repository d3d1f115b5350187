// ioredis connections to one server, one per SONiC database.
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisTarget {
  host: string;
  port: number;
  path?: string;
  password?: string;
  connectTimeoutMs: number;
}

/** Where Redis is, for logs: never includes the password. */
export function describeTarget(t: RedisTarget): string {
  return t.path ? `unix:${t.path}` : `${t.host}:${t.port}`;
}

/** Reconnect backoff: 50 ms doubling to 2 s. */
export function backoffMs(attempt: number): number {
  return Math.min(2000, 50 * 2 ** Math.min(attempt, 6));
}

export function connect(t: RedisTarget, db: number, name: string): Redis {
  const opts: RedisOptions = {
    db,
    connectionName: name,
    password: t.password,
    connectTimeout: t.connectTimeoutMs,
    // The daemon keeps the latest state per port itself and rewrites it on
    // reconnect, so commands fail fast instead of queueing while Redis is down.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => backoffMs(times),
    noDelay: true,
  };
  if (t.path) opts.path = t.path;
  else {
    opts.host = t.host;
    opts.port = t.port;
  }
  return new Redis(opts);
}
