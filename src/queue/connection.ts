// Where the queue lives: `--queue redis://[user:pass@]host:port/db`, checked before anything
// runs. The password is registered as a secret, so no output shows it.
import { ValidationError } from '../errors.js';
import { secrets } from '../secrets/redact.js';

export interface QueueConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

/** Every key the project's queues use starts with this. */
export const KEY_PREFIX = 'psd';

/** The inventory variable that routes a host to one group's workers. */
export const GROUP_VAR = 'portsync_worker_group';
export const DEFAULT_GROUP = 'default';
const GROUP_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function parseQueueUrl(url: string): QueueConnection {
  const bad = (why: string) =>
    new ValidationError([{ message: `--queue ${why}`, hint: 'give redis://[user:password@]host:port/db, e.g. redis://127.0.0.1:6379/0' }]);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('is not a URL');
  }
  if (u.protocol !== 'redis:') throw bad(`uses ${u.protocol}//; only redis:// is supported`);
  const db = u.pathname === '' || u.pathname === '/' ? 0 : Number(u.pathname.slice(1));
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(db) || db < 0 || db > 15) throw bad(`names database "${u.pathname.slice(1)}"; a database is 0 to 15`);
  if (!u.hostname) throw bad('names no host');
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  if (password) secrets.add(password);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(password ? { password } : {}),
  };
}

/** ioredis options for BullMQ: commands wait for a reconnect rather than fail at once. */
export function redisOptions(c: QueueConnection): Record<string, unknown> {
  return { ...c, maxRetriesPerRequest: null, connectTimeout: 10_000 };
}

/** `host:port/db`, for messages: never the credentials. */
export function describeQueue(c: QueueConnection): string {
  return `redis://${c.host}:${c.port}/${c.db}`;
}

/** The queue one group's workers take jobs from. */
export function queueName(group: string): string {
  return `hosts.${group}`;
}

/** A group name, or why it is not one. */
export function groupProblem(group: unknown): string | undefined {
  if (typeof group !== 'string' || !GROUP_NAME.test(group))
    return `${GROUP_VAR} must be a name of letters, digits, "_", "." or "-" (at most 64), got ${JSON.stringify(group)}`;
  return undefined;
}
