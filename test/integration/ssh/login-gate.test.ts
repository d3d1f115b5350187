// The login gate over a real sshd: a connection made before the run may log in goes as far as the
// handshake and the host key check, then waits; it authenticates only once the gate opens, and a
// connection closed before that leaves no login on the server (sshd at LogLevel VERBOSE logs
// "Accepted publickey" for every login).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createSshTransport, type SshTransportOptions } from '../../../src/transport/ssh.js';
import { LoginGate } from '../../../src/exec/login-gate.js';
import { KnownHostsStore } from '../../../src/transport/ssh-host-keys.js';
import { knownHostsLine, makeTempDir, startSshd, type Sshd } from './sshd.js';
import { sleep, waitFor } from '../../helpers/wait.js';

const ACCEPTED = /Accepted publickey for root/g;
const logins = (sshd: Sshd) => sshd.log().match(ACCEPTED)?.length ?? 0;
/** One connection to the server, and time for a client that did not wait to have logged in several times over. */
async function connectionHeld(sshd: Sshd): Promise<void> {
  await waitFor('a connection to sshd', () => sshd.sessionPids().length === 1);
  await sleep(700);
}

describe('ssh transport: the login gate', () => {
  let sshd: Sshd;
  let bastion: Sshd;
  let work: string;
  let kh: string;
  let base: Record<string, unknown>;

  before(async () => {
    sshd = await startSshd(['LoginGraceTime 2'], { logLevel: 'VERBOSE' });
    bastion = await startSshd([], { logLevel: 'VERBOSE' });
    fs.copyFileSync(sshd.authorizedKeys, bastion.authorizedKeys);
    work = makeTempDir('psd-login-gate-');
    kh = path.join(work, 'known_hosts');
    fs.writeFileSync(kh, `${knownHostsLine(sshd)}\n${knownHostsLine(bastion)}\n`);
    base = { host: '127.0.0.1', port: sshd.port, user: 'root', private_key_file: sshd.clientKey, known_hosts_file: kh, connect_retries: 0 };
  });
  /** A transport closed when its test ends, however it ends. */
  const transport = (t: { after(fn: () => Promise<void>): void }, vars: Record<string, unknown>, opts: SshTransportOptions) => {
    const made = createSshTransport('sw1', { ...base, ...vars }, opts);
    t.after(() => made.close());
    return made;
  };
  after(async () => {
    await sshd.stop();
    await bastion.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('a held connection does not log in; closed before the gate opens, the server saw no login', async (tc) => {
    const before = logins(sshd);
    const gate = new LoginGate();
    const t = transport(tc, {}, { loginGate: gate.opened });
    const connecting = t.connect();
    connecting.catch(() => {});
    await connectionHeld(sshd);
    assert.equal(logins(sshd), before);
    await t.close();
    await assert.rejects(connecting, /the run ended before the connection was made/);
    await waitFor('the connection to end', () => sshd.sessionPids().length === 0);
    assert.equal(logins(sshd), before, sshd.log());
  });

  test('the held connection logs in when the gate opens, and is the one the host uses', async (tc) => {
    const before = logins(sshd);
    const gate = new LoginGate();
    const t = transport(tc, { connect_timeout: 0.5 }, { loginGate: gate.opened });
    const connecting = t.connect();
    // Held past connect_timeout: the wait for the run is not the network's time.
    await connectionHeld(sshd);
    assert.equal(logins(sshd), before);
    gate.open();
    await connecting;
    assert.equal((await t.exec('echo "$SSH_CONNECTION"')).rc, 0);
    assert.equal(logins(sshd), before + 1);
    assert.equal(sshd.sessionPids().length, 1);
  });

  test("a connection the server drops while it is held (LoginGraceTime) connects again, without a retry's cost", async (tc) => {
    const gate = new LoginGate();
    const logs: string[] = [];
    const t = transport(tc, {}, { loginGate: gate.opened, log: (m) => logs.push(m) });
    const connecting = t.connect();
    // LoginGraceTime 2: the server gives up on the held connection.
    await waitFor('sshd to drop the held connection', () => logs.some((l) => /while it waited to log in; connecting again/.test(l)));
    gate.open();
    await connecting;
    assert.equal((await t.exec('true')).rc, 0);
  });

  test('through a jump host nothing connects before the gate opens (the bastion needs a login to forward)', async (tc) => {
    const mark = bastion.log().length;
    const gate = new LoginGate();
    const t = transport(tc, { jump_host: `root@127.0.0.1:${bastion.port}` }, { loginGate: gate.opened });
    const connecting = t.connect();
    await sleep(500);
    assert.equal(bastion.sessionPids().length, 0);
    assert.doesNotMatch(bastion.log().slice(mark), /Connection from/);
    gate.open();
    await connecting;
    assert.equal((await t.exec('echo via')).stdout, 'via\n');
  });

  test('with --accept-new-host-keys, a new host key is recorded only once the gate opens', async (tc) => {
    const fresh = path.join(work, 'known_hosts_new');
    KnownHostsStore.reset();
    tc.after(() => KnownHostsStore.reset());
    const gate = new LoginGate();
    const t = transport(tc, { known_hosts_file: fresh }, { acceptNewHostKeys: true, loginGate: gate.opened });
    const connecting = t.connect();
    await connectionHeld(sshd);
    assert.equal(fs.existsSync(fresh), false);
    gate.open();
    await connecting;
    assert.match(fs.readFileSync(fresh, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `));
  });
});
