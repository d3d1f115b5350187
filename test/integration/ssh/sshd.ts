// A throwaway OpenSSH server on 127.0.0.1 for transport tests: own host key, own authorized_keys, own pid file.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Sshd {
  port: number;
  dir: string;
  pid: number;
  /** Public host key line: "ssh-ed25519 AAAA...". */
  hostKeyPub: string;
  /** Client private key authorised for every user of this server. */
  clientKey: string;
  authorizedKeys: string;
  /** PIDs of the per-connection session processes (children of the listener). */
  sessionPids(): number[];
  /** What sshd logged so far (stderr, at the level asked for). */
  log(): string;
  /** SIGKILL one connection's processes, deepest first, by PID. */
  killSessions(): void;
  stop(): Promise<void>;
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function keygen(file: string, type = 'ed25519', passphrase = ''): string {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', 'portsync-test', '-f', file]);
  return fs.readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Direct children of a PID, from /proc (no pgrep, so nothing outside the tree is ever matched). */
export function childPids(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/))
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Servers still running; if the test process ends without its after() hooks, they go with it. */
const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) tryKill(pid, 'SIGTERM');
});

function descendants(pid: number): number[] {
  return childPids(pid).flatMap((c) => [...descendants(c), c]);
}

/** The tool's state folder on a live host (snapshots, the apply lock). */
const STATE_DIR = '/var/lib/portsync-deploy';

/** `privateState`: the server and its sessions see an empty state folder of their own (a tmpfs in
 *  a mount namespace of the server's), so a test's snapshots and locks never meet this machine's.
 *  `logLevel`: sshd's LogLevel (ERROR unless given; VERBOSE logs each connection and login, DEBUG3
 *  the protocol's requests). */
export async function startSshd(
  extraConfig: string[] = [],
  opts: { privateState?: boolean; logLevel?: 'ERROR' | 'VERBOSE' | 'DEBUG3' } = {},
): Promise<Sshd> {
  // sshd's privilege-separation chroot; the openssh-server service creates it at start, which a bare sshd lacks.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = makeTempDir('psd-sshd-');
  const hostKeyPub = keygen(path.join(dir, 'host_ed25519'));
  const clientKey = path.join(dir, 'client_ed25519');
  const authorizedKeys = path.join(dir, 'authorized_keys');
  fs.writeFileSync(authorizedKeys, keygen(clientKey) + '\n');
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_ed25519')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding yes',
      'Subsystem sftp internal-sftp',
      `LogLevel ${opts.logLevel ?? 'ERROR'}`,
      ...extraConfig,
      '',
    ].join('\n'),
  );
  const sshdArgv = ['/usr/sbin/sshd', '-D', '-e', '-f', config];
  if (opts.privateState) fs.mkdirSync(STATE_DIR, { recursive: true });
  // unshare and sh exec sshd: the child's PID is the server's.
  const argv = opts.privateState
    ? [
        'unshare',
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount -t tmpfs psd-state ${STATE_DIR} && exec "$@"`,
        'sh',
        ...sshdArgv,
      ]
    : sshdArgv;
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  try {
    await waitForBanner(
      port,
      () => child.exitCode !== null,
      () => stderr,
    );
  } catch (e) {
    tryKill(child.pid!, 'SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const pid = child.pid!;
  live.add(pid);

  return {
    port,
    dir,
    pid,
    hostKeyPub,
    clientKey,
    authorizedKeys,
    sessionPids: () => childPids(pid),
    log: () => stderr,
    killSessions() {
      for (const s of childPids(pid)) for (const p of [...descendants(s), s]) tryKill(p, 'SIGKILL');
    },
    async stop() {
      live.delete(pid);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        tryKill(pid, 'SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function tryKill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function waitForBanner(port: number, died: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (died()) throw new Error(`sshd exited: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('data', (b) => {
        s.destroy();
        resolve(b.toString().startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not answer on port ${port}: ${log()}`);
}

/** known_hosts line for a server, in the form OpenSSH records for a non-22 port. */
export function knownHostsLine(sshd: Sshd, name = '127.0.0.1'): string {
  return `[${name}]:${sshd.port} ${sshd.hostKeyPub}`;
}
