// A host over SSH: one connection for the run, exec channels for scripts, one lazily opened SFTP session for files.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { UnreachableError } from '../errors.js';
import type { ExecOptions, ExecResult, Transport } from './types.js';
import { localDefaults, resolveSshOptions, type SshOptions } from './ssh-options.js';
import { planAuth } from './ssh-auth.js';
import { terminalPrompt } from './terminal-prompt.js';
import { KnownHostsStore } from './ssh-host-keys.js';
import { timePhase } from '../timings.js';
import { connectWithRetries, type Connection } from './ssh-connect.js';
import type { DialledSockets } from './dial-ahead.js';
import { privilegeFor, remoteCommand, withBecomeHint, type Privilege } from './ssh-shell.js';
import { BECOME_UPLOAD_SCRIPT, parseMode, sftpAtomicUpload, tempPathFor } from './ssh-upload.js';

export interface SshTransportOptions {
  /** Trust on first use, as OpenSSH's StrictHostKeyChecking=accept-new. A changed key is still refused. */
  acceptNewHostKeys?: boolean;
  log?: (msg: string) => void;
  /** Resolves when the run may log in to hosts: until then a connection goes no further than the
   *  handshake and host key check (none at all through a jump host, which needs a login to forward). */
  loginGate?: Promise<void>;
  /** Sockets the run dialled before this transport was made: the first handshake takes its host's. */
  dialled?: DialledSockets;
}

export class CommandTimeoutError extends Error {
  constructor(
    readonly host: string,
    timeoutMs: number,
  ) {
    super(`host ${host}: command timed out after ${timeoutMs / 1000} s; it was killed`);
    this.name = 'CommandTimeoutError';
  }
}

export function createSshTransport(hostName: string, vars: Record<string, unknown>, opts: SshTransportOptions = {}): SshTransport {
  return new SshTransport(resolveSshOptions(hostName, vars), opts);
}

export class SshTransport implements Transport {
  readonly name = 'ssh';
  readonly root = '';
  readonly offline = false;
  private trips = 0;
  private uploaded = 0;
  private conn?: Connection;
  private sftp?: Promise<SFTPWrapper>;
  /** Why the connection is gone, once it is; every later call fails with it. */
  private lost?: string;
  /** Operations in flight, failed at once when the connection drops. */
  private readonly inflight = new Set<(err: Error) => void>();
  private readonly priv: Privilege;
  private readonly log: (msg: string) => void;
  /** The connection being made, cut by close(). */
  private connecting?: AbortController;

  constructor(
    readonly options: SshOptions,
    private readonly settings: SshTransportOptions = {},
  ) {
    this.log = settings.log ?? (() => {});
    this.priv = privilegeFor(options.user, options.become, options.becomeUser, options.becomePassword);
  }

  get roundTrips(): number {
    return this.trips;
  }

  get bytesUploaded(): number {
    return this.uploaded;
  }

  /** Connects once; after a lost connection, a new call connects afresh. */
  async connect(): Promise<void> {
    if (this.conn && !this.lost) return;
    this.sftp = undefined;
    const o = this.options;
    const sshDir = path.join(localDefaults().home, '.ssh');
    const connecting = (this.connecting = new AbortController());
    const gate = this.settings.loginGate;
    const dialled = this.settings.dialled;
    const ask = terminalPrompt();
    try {
      if (o.jump && gate) await untilOpen(gate, connecting.signal);
      this.conn = await timePhase('connect', () =>
        connectWithRetries(o, {
          auth: (user) =>
            planAuth(user, {
              keyFile: o.privateKeyFile,
              sshDir,
              agentSocket: process.env.SSH_AUTH_SOCK || undefined,
              // A passphrase is asked only once the run may log in: a run that stops at bad
              // input asks nothing.
              prompt: ask && gate ? (question) => gate.then(() => ask(question)) : ask,
              env: process.env,
              log: this.log,
            }),
          hostKeys: KnownHostsStore.for(o.knownHostsFile, this.log),
          acceptNewHostKeys: this.settings.acceptNewHostKeys ?? false,
          log: this.log,
          signal: connecting.signal,
          ...(gate ? { loginGate: gate } : {}),
          ...(dialled ? { dialled: (host: string, port: number) => dialled.take(o.hostName, host, port) } : {}),
        }),
      );
    } catch (e) {
      throw new UnreachableError(o.hostName, (e as Error).message);
    } finally {
      this.connecting = undefined;
    }
    this.lost = undefined;
    const client = this.conn.client;
    // Requests are small and each waits for its answer: Nagle's delay would only add latency.
    client.setNoDelay(true);
    let lastError: Error | undefined;
    client.on('error', (e: Error) => (lastError = e));
    client.once('close', () => this.onLost(lastError ? `connection lost: ${lastError.message}` : 'connection closed by the remote side'));
    this.conn.jump?.once('close', () => client.end());
  }

  private onLost(why: string): void {
    this.lost ??= why;
    const err = this.unreachable();
    for (const fail of this.inflight) fail(err);
    this.inflight.clear();
  }

  private client(): Client {
    if (this.lost) throw this.unreachable();
    if (!this.conn) throw new Error(`host ${this.options.hostName}: connect() was not called`);
    return this.conn.client;
  }

  async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const cmd = remoteCommand(script, this.priv, [], opts.stdin !== undefined);
    this.trips++;
    const stdin = opts.stdin === undefined ? undefined : Buffer.from(opts.stdin);
    return this.run(cmd.command, cmd.stdinPrefix, stdin, opts.timeoutMs ?? this.options.commandTimeoutMs, opts.onStdout);
  }

  async upload(localPath: string, remotePath: string, mode?: string): Promise<void> {
    const local = await fs.open(localPath, 'r');
    try {
      const st = await local.stat();
      const perms = mode === undefined ? st.mode & 0o7777 : parseMode(mode);
      this.trips++;
      if (this.priv.sudo) await this.becomeUpload(local, st.size, remotePath, perms);
      else await this.guard(sftpAtomicUpload(await this.sftpSession(), local, st.size, remotePath, perms));
      this.uploaded += st.size;
    } finally {
      await local.close();
    }
  }

  /** As the login user cannot write the target, the bytes go through a sudo'd shell in the same exec. */
  private async becomeUpload(local: fs.FileHandle, size: number, remotePath: string, perms: number): Promise<void> {
    const cmd = remoteCommand(
      BECOME_UPLOAD_SCRIPT,
      this.priv,
      [remotePath, tempPathFor(remotePath), perms.toString(8), String(size)],
      true,
    );
    const res = await this.run(
      cmd.command,
      cmd.stdinPrefix,
      local.createReadStream({ start: 0, autoClose: false }),
      this.options.commandTimeoutMs,
    );
    if (res.rc !== 0) throw new Error(`host ${this.options.hostName}: upload of ${remotePath} failed (rc ${res.rc}): ${res.stderr.trim()}`);
  }

  private sftpSession(): Promise<SFTPWrapper> {
    this.sftp ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.client().sftp((err, s) => (err ? reject(err) : resolve(s)));
    }).catch((e: Error) => {
      this.sftp = undefined;
      throw new Error(`host ${this.options.hostName}: cannot open an SFTP session: ${e.message}`);
    });
    return this.guard(this.sftp);
  }

  /**
   * Fails `work` as soon as the connection drops. ssh2 fails pending SFTP requests just before it reports
   * the closed connection, so a failure waits one turn of the event loop to be named for what it is.
   */
  private guard<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.client();
      this.inflight.add(reject);
      work
        .then(resolve, (e: Error) => setImmediate(() => reject(this.lost ? this.unreachable() : e)))
        .finally(() => this.inflight.delete(reject));
    });
  }

  private unreachable(): UnreachableError {
    return new UnreachableError(this.options.hostName, `host ${this.options.hostName}: ${this.lost}`);
  }

  private run(
    command: string,
    prefix: Buffer | undefined,
    stdin: Buffer | Readable | undefined,
    timeoutMs: number,
    onStdout?: (chunk: Buffer) => void,
  ): Promise<ExecResult> {
    const client = this.client();
    const host = this.options.hostName;
    return new Promise<ExecResult>((resolve, reject) => {
      let channel: ClientChannel | undefined;
      // Declared before finish(), which clears it and may run from a lost connection at any time.
      // eslint-disable-next-line prefer-const
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (err: Error | undefined, res?: ExecResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.inflight.delete(onLost);
        if (err) reject(err);
        else resolve(res!);
      };
      const onLost = (err: Error) => finish(err);
      this.inflight.add(onLost);
      timer = setTimeout(() => {
        finish(new CommandTimeoutError(host, timeoutMs));
        if (channel) {
          channel.signal('KILL');
          channel.close();
        }
      }, timeoutMs);

      client.exec(command, (err, ch) => {
        if (err) return finish(new Error(`host ${host}: cannot start a command: ${err.message}`));
        channel = ch;
        if (done) return void ch.close();
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let rc: number | undefined;
        ch.on('data', (b: Buffer) => {
          out.push(b);
          onStdout?.(b);
        });
        ch.stderr.on('data', (b: Buffer) => errOut.push(b));
        ch.on('exit', (code: number | null, signal?: string) => {
          rc = code ?? signalStatus(signal);
        });
        ch.on('close', () => {
          if (rc === undefined)
            return finish(
              new UnreachableError(host, `host ${host}: ${this.lost ?? 'the command ended without an exit status (connection cut?)'}`),
            );
          const stderr = withBecomeHint(Buffer.concat(errOut).toString('utf8'), this.priv);
          const raw = Buffer.concat(out);
          finish(undefined, { rc, stdout: raw.toString('utf8'), stderr, raw });
        });
        // The script may exit before reading all its input; that is not an error here.
        ch.on('error', () => {});
        if (prefix) ch.write(prefix);
        if (stdin === undefined) ch.end();
        else if (Buffer.isBuffer(stdin)) ch.end(stdin);
        else stdin.pipe(ch);
      });
    });
  }

  async close(): Promise<void> {
    this.connecting?.abort();
    const conn = this.conn;
    if (!conn) return;
    this.conn = undefined;
    this.sftp = undefined;
    const alreadyGone = this.lost !== undefined;
    this.lost = 'the transport was closed';
    if (alreadyGone) {
      conn.client.end();
      conn.jump?.end();
      return;
    }
    await new Promise<void>((resolve) => {
      conn.client.once('close', () => resolve());
      conn.client.end();
      // A half-dead peer may never answer the disconnect.
      setTimeout(resolve, 2000).unref();
    });
    conn.jump?.end();
  }
}

/** Waits for the gate; a close() meanwhile ends the wait as it cuts a handshake. */
function untilOpen(gate: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => reject(new Error('the run ended before the connection was made'));
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    void gate.then(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    });
  });
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, SEGV: 11, PIPE: 13, ALRM: 14, TERM: 15 };

/** A shell's convention for a command killed by a signal: 128 + its number. */
function signalStatus(signal: string | undefined): number {
  const n = signal ? SIGNALS[signal.replace(/^SIG/, '')] : undefined;
  return n === undefined ? 255 : 128 + n;
}
