// Host key policy against a real sshd: accepted forms, unknown, changed, revoked, trust on first
// use, and the keys the server announces after login.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createSshTransport, type SshTransportOptions } from '../../../src/transport/ssh.js';
import { KnownHostsStore } from '../../../src/transport/ssh-host-keys.js';
import { UnreachableError } from '../../../src/errors.js';
import { keygen, knownHostsLine, makeTempDir, startSshd, type Sshd } from './sshd.js';

/** Loopback aliases the server also listens on (sshd allows 16 listen sockets), each a distinct known_hosts name. */
const ALIASES = Array.from({ length: 12 }, (_, i) => `127.0.0.${i + 2}`);

describe('ssh transport: host keys', () => {
  let sshd: Sshd;
  let work: string;
  let kh: string;
  let otherKey: string;

  const transport = (host = '127.0.0.1', opts: SshTransportOptions = {}) =>
    createSshTransport(
      'sw1',
      {
        host,
        port: sshd.port,
        user: 'root',
        private_key_file: sshd.clientKey,
        known_hosts_file: kh,
        connect_retries: 0,
      },
      opts,
    );
  const tryConnect = async (host = '127.0.0.1', opts: SshTransportOptions = {}) => {
    const t = transport(host, opts);
    await t.connect();
    await t.close();
  };

  before(async () => {
    // MaxStartups: sshd drops some of more than 10 simultaneous handshakes by default. DEBUG3
    // logs the host keys it announces and any request to prove them.
    sshd = await startSshd(['MaxStartups 100', ...ALIASES.map((a) => `ListenAddress ${a}`)], { logLevel: 'DEBUG3' });
    work = makeTempDir('psd-ssh-hk-');
    kh = path.join(work, 'known_hosts');
    otherKey = keygen(path.join(work, 'other_host_key'));
  });
  beforeEach(() => KnownHostsStore.reset());
  after(async () => {
    await sshd.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('accepts a [host]:port entry among comments and other hosts', async () => {
    fs.writeFileSync(kh, `# fleet keys\nother.example ${otherKey}\n\n${knownHostsLine(sshd)} comment\n`);
    await tryConnect();
  });

  test('accepts a comma list with a wildcard', async () => {
    fs.writeFileSync(kh, `sw9,[127.0.0.*]:${sshd.port} ${sshd.hostKeyPub}\n`);
    await tryConnect();
  });

  test('accepts a hashed entry', async () => {
    const salt = randomBytes(20);
    const hash = createHmac('sha1', salt).update(`[127.0.0.1]:${sshd.port}`).digest();
    fs.writeFileSync(kh, `|1|${salt.toString('base64')}|${hash.toString('base64')} ${sshd.hostKeyPub}\n`);
    await tryConnect();
  });

  test('refuses an unknown key, naming host, key type, fingerprint, file and the way out', async () => {
    fs.writeFileSync(kh, `other.example ${otherKey}\n`);
    const err = await rejection(tryConnect());
    assert.ok(err instanceof UnreachableError);
    assert.equal(err.host, 'sw1');
    assert.match(err.message, /host key for sw1 .* is not known: ssh-ed25519 SHA256:[A-Za-z0-9+/]{43} /);
    assert.ok(err.message.includes(kh));
    assert.match(err.message, /--accept-new-host-keys/);
  });

  test('refuses a changed key loudly, with both fingerprints and the line number', async () => {
    fs.writeFileSync(kh, `# header\n[127.0.0.1]:${sshd.port} ${otherKey}\n`);
    const err = await rejection(tryConnect('127.0.0.1', { acceptNewHostKeys: true }));
    assert.ok(err instanceof UnreachableError);
    assert.match(err.message, /REMOTE HOST IDENTIFICATION HAS CHANGED for sw1/);
    assert.match(err.message, /at line 2/);
    assert.equal(err.message.match(/SHA256:/g)?.length, 2);
    assert.equal(fs.readFileSync(kh, 'utf8'), `# header\n[127.0.0.1]:${sshd.port} ${otherKey}\n`);
  });

  test('refuses a key marked @revoked even when it is also listed as valid', async () => {
    fs.writeFileSync(kh, `${knownHostsLine(sshd)}\n@revoked * ${sshd.hostKeyPub}\n`);
    const err = await rejection(tryConnect());
    assert.match(err.message, /@revoked .* line 2/);
  });

  test('accept-new records the key as OpenSSH does, and the next run connects strictly', async () => {
    fs.writeFileSync(kh, `other.example ${otherKey}`); // no final newline
    const notes: string[] = [];
    await tryConnect('127.0.0.1', { acceptNewHostKeys: true, log: (m) => notes.push(m) });
    assert.equal(fs.readFileSync(kh, 'utf8'), `other.example ${otherKey}\n${knownHostsLine(sshd)}\n`);
    assert.ok(notes.some((n) => n.startsWith('added host key for sw1')));
    KnownHostsStore.reset();
    await tryConnect();
  });

  test('accept-new from 12 concurrent first connections writes 12 whole lines', async () => {
    fs.rmSync(kh, { force: true });
    await Promise.all(ALIASES.map((a) => tryConnect(a, { acceptNewHostKeys: true })));
    const lines = fs.readFileSync(kh, 'utf8').split('\n').filter(Boolean).sort();
    assert.deepEqual(lines, ALIASES.map((a) => knownHostsLine(sshd, a)).sort());
    assert.equal(fs.statSync(kh).mode & 0o777, 0o600);
  });

  test('the keys sshd announces after login are taken as read: no proof of them is asked', async () => {
    fs.writeFileSync(kh, `${knownHostsLine(sshd)}\n`);
    const from = sshd.log().length;
    const log = () => sshd.log().slice(from);
    const t = transport();
    await t.connect();
    assert.equal((await t.exec('echo ok')).stdout, 'ok\n');
    await t.close();
    // The session's log reaches the listener's stderr as it goes: wait for the connection's end.
    for (let i = 0; i < 50 && !/Connection closed|Disconnected from/.test(log()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(log(), /sent \d+ hostkeys/, 'the server announced its host keys');
    assert.doesNotMatch(log(), /hostkeys-prove-00@openssh\.com/);
  });

  test('@cert-authority lines are ignored with a note', async () => {
    fs.writeFileSync(kh, `@cert-authority *.example ${otherKey}\n${knownHostsLine(sshd)}\n`);
    const notes: string[] = [];
    await tryConnect('127.0.0.1', { log: (m) => notes.push(m) });
    assert.ok(notes.some((n) => /@cert-authority lines \(1\) are ignored/.test(n)));
  });
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected the connection to be refused');
}
