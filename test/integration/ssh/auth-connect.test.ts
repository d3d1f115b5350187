// Authentication (encrypted key, ssh-agent), jump host, and the failures that make a host unreachable.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createSshTransport, type SshTransportOptions } from '../../../src/transport/ssh.js';
import { UnreachableError } from '../../../src/errors.js';
import { freePort, keygen, knownHostsLine, makeTempDir, startSshd, type Sshd } from './sshd.js';

const PASSPHRASE = 'corr3ct-h0rse-battery-staple';

describe('ssh transport: authentication and reachability', () => {
  let sshd: Sshd;
  let bastion: Sshd;
  let work: string;
  let kh: string;
  let base: Record<string, unknown>;

  const connectWith = async (vars: Record<string, unknown>, opts: SshTransportOptions = {}) => {
    const t = createSshTransport('sw1', { ...base, ...vars }, opts);
    await t.connect();
    try {
      return (await t.exec('echo "$SSH_CONNECTION"')).stdout.trim();
    } finally {
      await t.close();
    }
  };

  before(async () => {
    sshd = await startSshd();
    bastion = await startSshd();
    work = makeTempDir('psd-ssh-auth-');
    kh = path.join(work, 'known_hosts');
    fs.writeFileSync(kh, `${knownHostsLine(sshd)}\n${knownHostsLine(bastion)}\n`);
    // The bastion lets the same client key in, as an operator's bastion would.
    fs.copyFileSync(sshd.authorizedKeys, bastion.authorizedKeys);
    base = { host: '127.0.0.1', port: sshd.port, user: 'root', known_hosts_file: kh, connect_retries: 0 };
  });
  after(async () => {
    await sshd.stop();
    await bastion.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('a passphrase-protected key is unlocked with the passphrase from the environment', async (t) => {
    const key = path.join(work, 'encrypted_key');
    fs.appendFileSync(sshd.authorizedKeys, keygen(key, 'ed25519', PASSPHRASE) + '\n');
    withEnv(t, { PORTSYNC_SSH_PASSPHRASE: PASSPHRASE, SSH_AUTH_SOCK: undefined });
    const logs: string[] = [];
    assert.match(await connectWith({ private_key_file: key }, { log: (m) => logs.push(m) }), /^127\.0\.0\.1 \d+ 127\.0\.0\.1 \d+$/);
    assert.ok(!logs.join('\n').includes(PASSPHRASE));
  });

  test('a wrong or missing passphrase fails the host without revealing the passphrase', async (t) => {
    const key = path.join(work, 'encrypted_key2');
    keygen(key, 'ed25519', PASSPHRASE);
    withEnv(t, { PORTSYNC_SSH_PASSPHRASE: `${PASSPHRASE}-wrong`, SSH_AUTH_SOCK: undefined });
    const wrong = await rejection(connectWith({ private_key_file: key }));
    assert.ok(wrong instanceof UnreachableError);
    assert.match(wrong.message, /cannot decrypt key file .*encrypted_key2 .*PORTSYNC_SSH_PASSPHRASE: wrong passphrase\?/);
    assert.ok(!wrong.message.includes(PASSPHRASE) && !String(wrong.stack).includes(PASSPHRASE));

    withEnv(t, { PORTSYNC_SSH_PASSPHRASE: undefined });
    const missing = await rejection(connectWith({ private_key_file: key }));
    assert.match(missing.message, /is protected by a passphrase: set PORTSYNC_SSH_PASSPHRASE/);
  });

  test('a decrypted key the server does not accept fails authentication, passphrase unmentioned', async (t) => {
    const key = path.join(work, 'encrypted_unauthorised');
    keygen(key, 'ed25519', PASSPHRASE);
    withEnv(t, { PORTSYNC_SSH_PASSPHRASE: PASSPHRASE, SSH_AUTH_SOCK: undefined });
    const err = await rejection(connectWith({ private_key_file: key, connect_retries: 2 }));
    assert.ok(err instanceof UnreachableError);
    assert.match(err.message, /authentication failed for sw1 \(root@127\.0\.0\.1:\d+\) \(tried key file .*encrypted_unauthorised\)/);
    assert.ok(!err.message.includes(PASSPHRASE));
  });

  test('ssh-agent authenticates when no key file is set', async (t) => {
    const sock = path.join(work, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    t.after(async () => {
      const exited = new Promise((r) => agent.once('exit', r));
      process.kill(agent.pid!, 'SIGTERM');
      await exited;
    });
    await waitFor(() => fs.existsSync(sock));
    const key = path.join(work, 'agent_only_key');
    fs.appendFileSync(sshd.authorizedKeys, keygen(key) + '\n');
    execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
    fs.rmSync(key); // only the agent holds it now
    withEnv(t, { SSH_AUTH_SOCK: sock, HOME: work });
    assert.match(await connectWith({}), /^127\.0\.0\.1 /);
  });

  for (const [spelling, vars] of [
    ['jump_host', (p: number) => ({ jump_host: `root@127.0.0.1:${p}` })],
    [
      'ansible_ssh_common_args -o ProxyJump=',
      (p: number) => ({ ansible_ssh_common_args: `-o StrictHostKeyChecking=yes -o ProxyJump=root@127.0.0.1:${p}` }),
    ],
  ] as const) {
    test(`${spelling}: the connection runs through the bastion`, async () => {
      const t = createSshTransport('sw1', { ...base, private_key_file: sshd.clientKey, ...vars(bastion.port) });
      assert.equal(bastion.sessionPids().length, 0);
      await t.connect();
      try {
        assert.equal((await t.exec('echo via')).stdout, 'via\n');
        assert.equal(bastion.sessionPids().length, 1);
      } finally {
        await t.close();
      }
      await waitFor(() => bastion.sessionPids().length === 0);
    });
  }

  test('an unknown jump host key fails the host and names the jump host', async () => {
    const onlyTarget = path.join(work, 'known_hosts_target_only');
    fs.writeFileSync(onlyTarget, knownHostsLine(sshd) + '\n');
    const err = await rejection(
      connectWith({ private_key_file: sshd.clientKey, known_hosts_file: onlyTarget, jump_host: `root@127.0.0.1:${bastion.port}` }),
    );
    assert.ok(err instanceof UnreachableError);
    assert.match(err.message, new RegExp(`host key for jump host root@127\\.0\\.0\\.1:${bastion.port} is not known`));
  });

  test('a port nobody listens on fails fast as unreachable, after the configured retries', async () => {
    const port = await freePort();
    const logs: string[] = [];
    const err = await rejection(connectWith({ port, connect_retries: 1, private_key_file: sshd.clientKey }, { log: (m) => logs.push(m) }));
    assert.ok(err instanceof UnreachableError);
    assert.match(err.message, /connection refused/);
    assert.equal(logs.filter((l) => /retry 1\/1/.test(l)).length, 1);
  });

  test('a server that never speaks SSH times out after connect_timeout', async (t) => {
    const accepted: net.Socket[] = [];
    const silent = net.createServer((s) => accepted.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    t.after(() => {
      for (const s of accepted) s.destroy();
      return new Promise((r) => silent.close(r));
    });
    const port = (silent.address() as net.AddressInfo).port;
    const err = await rejection(connectWith({ port, connect_timeout: 0.5, private_key_file: sshd.clientKey }));
    assert.ok(err instanceof UnreachableError);
    assert.match(err.message, /timed out after 0\.5 s while connecting/);
  });

  test('closing a transport whose handshake is in flight cuts it: no retry, the socket is closed', async (t) => {
    const closed: Promise<void>[] = [];
    const silent = net.createServer((s) => {
      s.resume();
      closed.push(new Promise((r) => s.once('close', () => r())));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    t.after(() => new Promise((r) => silent.close(r)));
    const port = (silent.address() as net.AddressInfo).port;
    const logs: string[] = [];
    const transport = createSshTransport(
      'sw1',
      { ...base, port, connect_timeout: 60, connect_retries: 3, private_key_file: sshd.clientKey },
      { log: (m) => logs.push(m) },
    );
    const connecting = transport.connect();
    while (!closed.length) await new Promise((r) => setTimeout(r, 10));
    await transport.close();
    const err = await rejection(connecting);
    assert.ok(err instanceof UnreachableError);
    assert.match(err.message, /the run ended before the connection was made/);
    await closed[0];
    assert.equal(closed.length, 1);
    assert.deepEqual(
      logs.filter((l) => /retry/.test(l)),
      [],
    );
  });
});

/** Sets (or, with undefined, removes) env vars for one test. */
function withEnv(t: { after(fn: () => void): void }, vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    const old = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    t.after(() => {
      if (old === undefined) delete process.env[k];
      else process.env[k] = old;
    });
  }
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected a failure');
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
