// become over a real sshd with a non-root login. The test creates throwaway system users (one whose
// sudo needs no password, one whose sudo asks for it) and their sudoers entries, all with unique
// names, and deletes them afterwards; it is skipped where sudo is not installed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createSshTransport, type SshTransport } from '../../../src/transport/ssh.js';
import { UnreachableError } from '../../../src/errors.js';
import { knownHostsLine, makeTempDir, startSshd, type Sshd } from './sshd.js';
import { repoRoot } from '../../unit/inventory/fixture-path.js';

const hasSudo = fs.existsSync('/usr/bin/sudo');

describe('ssh transport: become with a non-root login', { skip: hasSudo ? false : 'sudo is not installed (apt-get install sudo)' }, () => {
  const user = `psdt${randomBytes(3).toString('hex')}`;
  /** This one's sudo asks for its login password. */
  const asking = `psdp${randomBytes(3).toString('hex')}`;
  // Shell-active text: were it ever evaluated, the file would appear.
  const canary = `/tmp/${asking}-evaluated`;
  const password = `pw $(touch ${canary}) '"; x`;
  const sudoers = [`/etc/sudoers.d/${user}`, `/etc/sudoers.d/${asking}`];
  let sshd: Sshd;
  let work: string;
  let vars: Record<string, unknown>;
  const open: SshTransport[] = [];

  const connect = async (become: boolean, more: Record<string, unknown> = {}) => {
    const t = createSshTransport('sw1', { ...vars, become, ...more });
    open.push(t);
    await t.connect();
    return t;
  };

  before(async () => {
    for (const u of [user, asking]) {
      execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/sh', u]);
    }
    // A '!' password makes sshd (without PAM) treat the account as locked; '*' only forbids password logins.
    execFileSync('usermod', ['-p', '*', user]);
    execFileSync('chpasswd', { input: `${asking}:${password}\n` });
    fs.writeFileSync(sudoers[0]!, `${user} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
    fs.writeFileSync(sudoers[1]!, `${asking} ALL=(ALL) ALL\n`, { mode: 0o440 });
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
    for (const f of [...sudoers, canary]) fs.rmSync(f, { force: true });
    for (const u of [user, asking]) execFileSync('userdel', [u]);
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

  test('become_user runs the commands as that user', async () => {
    const t = await connect(true, { ansible_become_user: 'nobody' });
    assert.equal((await t.exec('id -un')).stdout.trim(), 'nobody');
  });

  test('a sudo that asks: refused without the password, saying how to give it', async () => {
    const t = await connect(true, { user: asking });
    const r = await t.exec('id -u');
    assert.notEqual(r.rc, 0);
    assert.match(
      r.stderr,
      /(?:^|\n)sudo: a password is required\nhint: give it with -K \(--ask-become-pass\) or ansible_become_password \(vaulted\)\n$/,
    );
  });

  test('a sudo that asks gets the password on stdin: never in any process argument, never evaluated', async () => {
    const t = await connect(true, { user: asking, ansible_become_password: password });
    assert.equal((await t.exec('id -u')).stdout.trim(), '0');
    // While a command runs as root, no process on this machine (sshd's children included) has the password in its arguments.
    const running = t.exec('sleep 1; id -u');
    await new Promise((r) => setTimeout(r, 500));
    const argvs = fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((d) => {
        try {
          return fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      });
    assert.ok(
      argvs.some((a) => a.includes('sudo') && a.includes('-S')),
      'the sudo of the running command was seen',
    );
    assert.ok(!argvs.some((a) => a.includes(canary)), 'the password is in no process argument');
    assert.equal((await running).stdout.trim(), '0');
    // stdin after the password reaches the command whole, and an upload lands as root.
    const input = randomBytes(2 * 1024 * 1024);
    const r = await t.exec('sha256sum | cut -d" " -f1', { stdin: input });
    assert.equal(r.stdout.trim(), createHash('sha256').update(input).digest('hex'));
    const local = path.join(makeTempDir('psd-ssh-local-'), 'conf');
    fs.writeFileSync(local, 'asked\n');
    await t.upload(local, path.join(work, 'asked.conf'), '0600');
    fs.rmSync(path.dirname(local), { recursive: true });
    assert.deepEqual(
      [fs.readFileSync(path.join(work, 'asked.conf'), 'utf8'), fs.statSync(path.join(work, 'asked.conf')).uid],
      ['asked\n', 0],
    );
    assert.equal(fs.existsSync(canary), false);
  });

  test('a password given where sudo asks for none is read and dropped, never evaluated', async () => {
    const t = await connect(true, { ansible_become_password: password });
    const input = randomBytes(64 * 1024);
    const r = await t.exec('id -u; sha256sum | cut -d" " -f1', { stdin: input });
    assert.equal(r.stdout, `0\n${createHash('sha256').update(input).digest('hex')}\n`);
    assert.equal(fs.existsSync(canary), false);
  });

  test('a wrong password fails the command, and the error does not hold it', async () => {
    const t = await connect(true, { user: asking, ansible_become_password: `wrong ${password}` });
    const r = await t.exec('id -u');
    assert.notEqual(r.rc, 0);
    assert.match(r.stderr, /incorrect password/);
    assert.doesNotMatch(r.stderr, /-K/, 'a password was given: no hint to give one');
    assert.ok(!r.stderr.includes(canary) && !r.stdout.includes(canary));
    assert.equal(fs.existsSync(canary), false);
  });
});

describe(
  '-K asks for the sudo password on the terminal',
  { skip: hasSudo ? false : 'sudo is not installed (apt-get install sudo)' },
  () => {
    const asking = `psdk${randomBytes(3).toString('hex')}`;
    const password = `Typed-${randomBytes(6).toString('hex')}`;
    const sudoers = `/etc/sudoers.d/${asking}`;
    let sshd: Sshd;
    let work: string;

    before(async () => {
      execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/sh', asking]);
      execFileSync('chpasswd', { input: `${asking}:${password}\n` });
      fs.writeFileSync(sudoers, `${asking} ALL=(ALL) ALL\n`, { mode: 0o440 });
      sshd = await startSshd();
      work = makeTempDir('psd-ask-become-');
      fs.chmodSync(sshd.dir, 0o711);
      fs.chmodSync(sshd.authorizedKeys, 0o644);
      fs.mkdirSync(path.join(work, 'out'), { mode: 0o700 });
      fs.writeFileSync(path.join(work, 'known_hosts'), knownHostsLine(sshd) + '\n');
      fs.writeFileSync(
        path.join(work, 'hosts.yaml'),
        JSON.stringify({
          all: {
            hosts: { sw1: { ansible_host: '127.0.0.1', ansible_port: sshd.port } },
            vars: {
              ansible_connection: 'ssh',
              ansible_ssh_private_key_file: sshd.clientKey,
              known_hosts_file: path.join(work, 'known_hosts'),
            },
          },
        }),
      );
      fs.writeFileSync(
        path.join(work, 'site.yaml'),
        `- hosts: all\n  gather_facts: false\n  tasks:\n    - name: root-only file\n      copy: {dest: ${work}/out/asked.conf, content: "asked\\n", mode: "0600"}\n`,
      );
    });

    after(async () => {
      await sshd?.stop();
      fs.rmSync(sudoers, { force: true });
      execFileSync('userdel', [asking]);
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    /** The CLI on a terminal (script(1) gives it one); the password is typed once the prompt shows. */
    const onTerminal = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const cli = [process.execPath, path.join(repoRoot, 'bin/portsync-deploy.js'), ...args].map((a) => `'${a}'`).join(' ');
        const child = spawn('script', ['-qec', cli, '/dev/null'], { cwd: work, env: { ...process.env, NO_COLOR: '1' } });
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          const before = out;
          out += d.toString();
          if (!before.includes('BECOME password:') && out.includes('BECOME password:')) child.stdin.write(`${password}\n`);
        });
        child.on('close', (code) => resolve({ code, out }));
      });

    test("without it, the host fails at its first step with sudo's own words; with it, the file is written as root", async () => {
      const denied = spawnSync(
        process.execPath,
        [path.join(repoRoot, 'bin/portsync-deploy.js'), 'site.yaml', '-i', 'hosts.yaml', '-u', asking, '-b'],
        {
          cwd: work,
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1' },
        },
      );
      assert.equal(denied.status, 1, denied.stdout + denied.stderr);
      // become covers the fact gathering too, so that is where it stops, before any task.
      assert.match(
        denied.stdout,
        /failed: sw1 .*fact gathering failed \(exit 1\):[^]*sudo: a password is required[^]*give it with -K \(--ask-become-pass\) or ansible_become_password \(vaulted\)/,
      );
      assert.equal(fs.existsSync(path.join(work, 'out/asked.conf')), false);

      const r = await onTerminal(['site.yaml', '-i', 'hosts.yaml', '-u', asking, '-b', '-K']);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /BECOME password:/);
      assert.ok(!r.out.includes(password), 'the typed password is neither echoed nor printed');
      const st = fs.statSync(path.join(work, 'out/asked.conf'));
      assert.deepEqual([fs.readFileSync(path.join(work, 'out/asked.conf'), 'utf8'), st.uid, st.mode & 0o777], ['asked\n', 0, 0o600]);
    });
  },
);

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
