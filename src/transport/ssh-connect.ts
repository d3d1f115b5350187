// Opens the one ssh2 connection a host gets for the run: directly or through a jump host, with
// retries. A connection may open before the run's input is known to be good: it then stops before
// authentication until the run's login gate opens, so a run that ends at bad input logs in nowhere.
import type { Client, ConnectConfig } from 'ssh2';
import { Client as SshClient } from './ssh2-parts.js';
import type { Duplex } from 'node:stream';
import type { SshEndpoint, SshOptions } from './ssh-options.js';
import type { AuthPlan } from './ssh-auth.js';
import type { KnownHostsStore, HostKeyTarget } from './ssh-host-keys.js';
import { skipHostKeysProof } from './ssh-hostkeys-notice.js';

export interface ConnectDeps {
  auth: (user: string) => Promise<AuthPlan>;
  hostKeys: KnownHostsStore;
  acceptNewHostKeys: boolean;
  log: (msg: string) => void;
  /** Aborted when the run ends before the connection is made: the handshake is cut, no retry follows. */
  signal?: AbortSignal;
  /** Authentication (and recording a new host key) waits for it: the run's input is good. */
  loginGate?: Promise<void>;
  /** A TCP connection to the host dialled ahead of the handshake, if one is still open. */
  dialled?: (host: string, port: number) => Duplex | undefined;
}

export interface Connection {
  client: Client;
  /** The bastion's connection, closed after the target's. */
  jump?: Client;
}

/** A failure that another attempt cannot fix: host key, authentication, local setup. */
export class PermanentConnectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentConnectError';
  }
}

/** The peer closed a connection while it waited for the login gate (sshd's LoginGraceTime): the
 *  host is not at fault, so the next attempt costs no retry. */
class HeldConnectionLost extends Error {}

const BACKOFF_BASE_MS = 500;

export async function connectWithRetries(opts: SshOptions, deps: ConnectDeps): Promise<Connection> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connectOnce(opts, deps);
    } catch (e) {
      if (e instanceof HeldConnectionLost && !deps.signal?.aborted) {
        deps.log(`${opts.hostName}: ${e.message} while it waited to log in; connecting again`);
        attempt--;
        continue;
      }
      if (e instanceof PermanentConnectError || attempt >= opts.connectRetries || deps.signal?.aborted) throw e;
      // Full jitter keeps 50 hosts that failed together from retrying in lockstep.
      const delay = Math.round(BACKOFF_BASE_MS * 2 ** attempt * (0.5 + Math.random()));
      deps.log(`${opts.hostName}: ${(e as Error).message}; retry ${attempt + 1}/${opts.connectRetries} in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

async function connectOnce(opts: SshOptions, deps: ConnectDeps): Promise<Connection> {
  const targetLabel = `${opts.hostName} (${opts.user}@${opts.host}:${opts.port})`;
  if (!opts.jump) return { client: await openClient(opts, opts, targetLabel, deps, () => deps.dialled?.(opts.host, opts.port)) };

  const j = opts.jump;
  const jumpLabel = `jump host ${j.user}@${j.host}:${j.port}`;
  const jump = await openClient(j, opts, jumpLabel, deps).catch((e: Error) => {
    throw rewrap(e, `via ${jumpLabel}: ${e.message}`);
  });
  try {
    const stream = await new Promise<Duplex>((resolve, reject) => {
      jump.forwardOut('127.0.0.1', 0, opts.host, opts.port, (err, ch) => (err ? reject(err) : resolve(ch)));
    }).catch((e: Error) => {
      throw new Error(`${jumpLabel} could not reach ${opts.host}:${opts.port}: ${e.message}`);
    });
    const client = await openClient(opts, opts, `${targetLabel} via ${jumpLabel}`, deps, () => stream);
    return { client, jump };
  } catch (e) {
    jump.end();
    throw e;
  }
}

function rewrap(e: Error, message: string): Error {
  return e instanceof PermanentConnectError ? new PermanentConnectError(message) : new Error(message);
}

type ClientError = Error & { level?: string; code?: string };

/** One SSH handshake + authentication; every failure comes back as a sentence about this endpoint.
 *  The handshake (TCP, key exchange, host key) starts at once; authentication waits for the run's
 *  login gate, and that wait does not count against connect_timeout. `socket`: the stream to speak
 *  SSH over, taken as the handshake starts (none: ssh2 dials the endpoint itself). */
async function openClient(
  ep: SshEndpoint,
  opts: SshOptions,
  label: string,
  deps: ConnectDeps,
  socket?: () => Duplex | undefined,
): Promise<Client> {
  // The credentials load beside the handshake. A failure to load them is the host's failure,
  // named before any network error, as when they were loaded first.
  const planned = deps.auth(ep.user).then(
    (plan) => ({ plan }),
    (e: Error) => ({ error: e }),
  );
  const target: HostKeyTarget = { label, host: ep.host, port: ep.port };
  const preferred = expandKeyTypes(await deps.hostKeys.preferredKeyTypes(ep.host, ep.port));
  const gate = deps.loginGate ?? Promise.resolve();
  const client = new SshClient();
  let settled = false;
  let hostKeyFailure: string | undefined;
  let methods: AuthPlan['methods'] | undefined;
  let reject!: (e: Error) => void;

  const clock = new NetworkClock(opts.connectTimeoutMs, () => {
    fail(Object.assign(new Error('handshake timed out'), { level: 'client-timeout' }));
    client.destroy();
  });
  /** The connection waits for the run, not the network: the clock stops meanwhile. */
  let holding = false;
  const hold = async <T>(wait: Promise<T>): Promise<T> => {
    clock.stop();
    holding = true;
    try {
      return await wait;
    } finally {
      holding = false;
      if (!settled) clock.start();
    }
  };
  const noMoreMethods = () => fail(Object.assign(new Error('no method left'), { level: 'client-authentication' }));

  const config: ConnectConfig = {
    host: ep.host,
    port: ep.port,
    username: ep.user,
    // The clock above times the handshake instead, so that waiting for the gate is not counted.
    readyTimeout: 0,
    keepaliveInterval: opts.keepaliveIntervalMs,
    keepaliveCountMax: opts.keepaliveCountMax,
    authHandler: (_left, _partial, next) => {
      if (methods) {
        const m = methods.shift();
        return m ? next(m) : noMoreMethods();
      }
      void hold(Promise.all([gate, planned])).then(([, r]) => {
        if (settled) return;
        if ('error' in r) return fail(r.error);
        methods = [...r.plan.methods];
        const m = methods.shift();
        return m ? next(m) : noMoreMethods();
      });
    },
    // Ask for a key type the file can vouch for, as OpenSSH does, so a host with several keys is not "unknown".
    algorithms: preferred.length ? { serverHostKey: { remove: preferred, prepend: preferred } as never } : undefined,
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      // A key seen for the first time is recorded only once the run may log in.
      deps.hostKeys
        .verify(target, key, deps.acceptNewHostKeys, () => hold(gate))
        .then(
          (d) => {
            if (!d.ok) hostKeyFailure = d.message;
            verify(d.ok);
          },
          (e: Error) => {
            hostKeyFailure = `cannot check the host key of ${label}: ${e.message}`;
            verify(false);
          },
        );
    },
  };

  const abort = () => {
    if (settled) return;
    settled = true;
    clock.stop();
    client.destroy();
    reject(new PermanentConnectError(`${label}: the run ended before the connection was made`));
  };
  function fail(err: ClientError): void {
    if (settled) return;
    settled = true;
    clock.stop();
    deps.signal?.removeEventListener('abort', abort);
    const lostWhileHeld = holding;
    client.end();
    void planned.then((r) => {
      if ('error' in r) return reject(new PermanentConnectError(r.error.message));
      if (hostKeyFailure) return reject(new PermanentConnectError(hostKeyFailure));
      if (err.level === 'client-authentication')
        return reject(new PermanentConnectError(`authentication failed for ${label} (tried ${r.plan.described})`));
      const message = `${label}: ${describeNetError(err, opts.connectTimeoutMs)}`;
      reject(lostWhileHeld ? new HeldConnectionLost(message) : new Error(message));
    });
  }
  return new Promise<Client>((resolve, rejectWith) => {
    reject = rejectWith;
    client.once('ready', () => {
      if (settled) return void client.end();
      settled = true;
      clock.stop();
      deps.signal?.removeEventListener('abort', abort);
      client.off('error', fail);
      // Later errors (keepalive timeout, reset) surface as 'close' to the transport; keep them from crashing the process.
      client.on('error', () => {});
      resolve(client);
    });
    client.on('error', fail);
    client.once('close', () => fail(new Error('connection closed during the handshake')));
    if (deps.signal?.aborted) return abort();
    deps.signal?.addEventListener('abort', abort, { once: true });
    clock.start();
    try {
      client.connect({ ...config, sock: socket?.() as ConnectConfig['sock'] });
      skipHostKeysProof(client);
    } catch (e) {
      fail(e as Error);
    }
  });
}

/** connect_timeout for the time spent on the network: stopped while the connection waits for the run. */
class NetworkClock {
  private left: number;
  private since = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    budgetMs: number,
    private readonly expired: () => void,
  ) {
    this.left = budgetMs;
  }

  start(): void {
    if (this.timer) return;
    this.since = Date.now();
    this.timer = setTimeout(this.expired, Math.max(0, this.left));
  }

  stop(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.left -= Date.now() - this.since;
  }
}

function describeNetError(err: ClientError, timeoutMs: number): string {
  if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT') return `timed out after ${timeoutMs / 1000} s while connecting`;
  if (err.code === 'ECONNREFUSED') return 'connection refused';
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return 'no route to host';
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return 'host name does not resolve';
  return err.message;
}

const HANDSHAKE_KEY_TYPES = new Set([
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
]);

/** known_hosts records RSA keys as ssh-rsa; the handshake names them by signature algorithm. */
function expandKeyTypes(types: string[]): string[] {
  return types
    .flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]))
    .filter((t) => HANDSHAKE_KEY_TYPES.has(t));
}
