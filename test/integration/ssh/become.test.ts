// become over a real sshd with a non-root login. The test creates a throwaway system user and sudoers
// entry, both with a unique name, and deletes them afterwards; it is skipped where sudo is not installed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createSshTransport, type SshTransport } from '../../../src/transport/ssh.js';
import { UnreachableError } from '../../../src/errors.js';
import { knownHostsLine, makeTempDir, startSshd, type Sshd } from './sshd.js';

const hasSudo = fs.existsSync('/usr/bin/sudo');

describe('ssh transport: become with a non-root login', { skip: hasSudo ? false : 'sudo is not installed (apt-get install sudo)' }, () => {
  const user = `psdt${randomBytes(3).toString('hex')}`;
  const sudoers = `/etc/sudoers.d/${user}`;
  let sshd: Sshd;
  let work: string;
  let vars: Record<string, unknown>;
  const open: SshTransport[] = [];

  const connect = async (become: boolean) => {
    const t = createSshTransport('sw1', { ...vars, become });
    open.push(t);
    await t.connect();
    return t;
  };

  before(async () => {
    execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/sh', user]);
    // A '!' password makes sshd (without PAM) treat the account as locked; '*' only forbids password logins.
    execFileSync('usermod', ['-p', '*', user]);
    fs.writeFileSync(sudoers, `${user} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
    sshd = await startSshd();
    work = makeTempDir('psd-ssh-become-');
    fs.chmodSync(work, 0o700); // only root may write here
    const kh = path.join(work, 'known_hosts');
    fs.writeFileSync(kh, knownHostsLine(sshd) + '\n');
    // sshd reads authorized_keys with the login user's rights.
    fs.chmodSync(sshd.dir, 0o711);
    fs.chmodSync(sshd.authorizedKeys, 0o644);
    vars = { host: '127.0.0.1', port: sshd.port, user, private_key_file: sshd.clientKey, known_hosts_file: kh };
  });

  after(async () => {
    for (const t of open) await t.close();
    await sshd?.stop();
    fs.rmSync(sudoers, { force: true });
    execFileSync('userdel', [user]);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('commands run as root only with become', async () => {
    assert.notEqual((await (await connect(false)).exec('id -u')).stdout.trim(), '0');
    const t = await connect(true);
    assert.equal((await t.exec('id -u')).stdout.trim(), '0');
    const input = randomBytes(2 * 1024 * 1024);
    const r = await t.exec('sha256sum | cut -d" " -f1', { stdin: input });
    assert.equal(r.stdout.trim(), createHash('sha256').update(input).digest('hex'));
  });

  test('upload lands atomically in a root-only folder, with mode, in one round trip', async () => {
    const t = await connect(true);
    const local = path.join(makeTempDir('psd-ssh-local-'), 'conf');
    const data = randomBytes(2 * 1024 * 1024);
    fs.writeFileSync(local, data);
    const remote = path.join(work, 'root-owned.conf');
    fs.writeFileSync(remote, 'old');
    await t.upload(local, remote, '0640');
    fs.rmSync(path.dirname(local), { recursive: true });
    assert.ok(fs.readFileSync(remote).equals(data));
    const st = fs.statSync(remote);
    assert.deepEqual([st.mode & 0o7777, st.uid], [0o640, 0]);
    assert.deepEqual([t.roundTrips, t.bytesUploaded], [1, data.length]);
    assert.deepEqual(
      fs.readdirSync(work).filter((f) => f.includes('.psd-tmp-')),
      [],
    );
  });

  test('a cut connection during a sudo upload leaves the old target whole and at most a named temp file', async () => {
    const t = await connect(true);
    const dir = makeTempDir('psd-ssh-local-');
    const local = path.join(dir, 'big');
    fs.writeFileSync(local, randomBytes(64 * 1024 * 1024));
    const remote = path.join(work, 'cut.conf');
    fs.writeFileSync(remote, 'previous');
    const upload = t.upload(local, remote, '0644');
    upload.catch(() => {});
    await waitFor(() => fs.readdirSync(work).some((f) => f.startsWith('.cut.conf.psd-tmp-') && fs.statSync(path.join(work, f)).size > 0));
    sshd.killSessions();
    await assert.rejects(upload, UnreachableError);
    fs.rmSync(dir, { recursive: true });
    assert.equal(fs.readFileSync(remote, 'utf8'), 'previous');
    // sudo may take the remote shell down before its cleanup runs; what stays is only the named temp file.
    for (const f of fs.readdirSync(work).filter((f) => f.startsWith('.cut.conf'))) assert.match(f, /^\.cut\.conf\.psd-tmp-[0-9a-f]{8}$/);
  });
});

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
