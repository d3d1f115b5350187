// Exec and atomic upload over a real sshd, including a connection cut in the middle of each.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createSshTransport, CommandTimeoutError, type SshTransport } from '../../../src/transport/ssh.js';
import { UnreachableError } from '../../../src/errors.js';
import { knownHostsLine, makeTempDir, startSshd, type Sshd } from './sshd.js';

describe('ssh transport: exec and upload', () => {
  let sshd: Sshd;
  let work: string;
  let vars: Record<string, unknown>;
  const open: SshTransport[] = [];

  const connect = async (extra: Record<string, unknown> = {}) => {
    const t = createSshTransport('sw1', { ...vars, ...extra });
    open.push(t);
    await t.connect();
    return t;
  };

  before(async () => {
    sshd = await startSshd();
    work = makeTempDir('psd-ssh-work-');
    const kh = path.join(work, 'known_hosts');
    fs.writeFileSync(kh, knownHostsLine(sshd) + '\n');
    vars = {
      ansible_host: '127.0.0.1',
      ansible_port: sshd.port,
      ansible_user: 'root',
      private_key_file: sshd.clientKey,
      known_hosts_file: kh,
    };
  });

  after(async () => {
    for (const t of open) await t.close();
    await sshd.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('exec returns rc, stdout and stderr, and counts one round trip each', async () => {
    const t = await connect();
    const r = await t.exec(`echo "it's out"; echo err >&2; exit 3`);
    assert.deepEqual(r, { rc: 3, stdout: "it's out\n", stderr: 'err\n', raw: Buffer.from("it's out\n") });
    // stdout's bytes come as they were sent, whatever they are.
    const bytes = Buffer.from([0xff, 0x00, 0x0a, 0xc3]);
    assert.deepEqual((await t.exec(`printf '\\377\\000\\n\\303'`)).raw, bytes);
    await t.exec('true');
    assert.equal(t.roundTrips, 3);
  });

  test('exec feeds 2 MB of stdin to the script', async () => {
    const t = await connect();
    const input = randomBytes(2 * 1024 * 1024);
    const r = await t.exec('sha256sum | cut -d" " -f1', { stdin: input });
    assert.equal(r.rc, 0, r.stderr);
    assert.equal(r.stdout.trim(), createHash('sha256').update(input).digest('hex'));
  });

  test('a script too large for one argv string still runs, with its own stdin intact', async () => {
    const t = await connect();
    const filler = `: '${'x'.repeat(200_000)}'\n`;
    const r = await t.exec(`${filler}read line; echo "got $line"`, { stdin: 'hello\n' });
    assert.equal(r.rc, 0, r.stderr);
    assert.equal(r.stdout, 'got hello\n');
  });

  test('a command past its timeout is killed and rejected; the connection stays usable', async () => {
    const t = await connect();
    const marker = path.join(work, 'timeout-started');
    const run = t.exec(`touch ${marker}; exec sleep 30`, { timeoutMs: 3000 });
    run.catch(() => {});
    // The login shell's startup files must be done before the kill, or they are the ones killed.
    await waitFor(() => fs.existsSync(marker));
    await assert.rejects(run, CommandTimeoutError);
    assert.equal((await t.exec('echo still here')).stdout, 'still here\n');
  });

  test('upload writes 2 MB atomically with the given mode, replacing the old file', async () => {
    const t = await connect();
    const local = path.join(work, 'payload');
    const data = randomBytes(2 * 1024 * 1024);
    fs.writeFileSync(local, data);
    const remote = path.join(work, 'target.bin');
    fs.writeFileSync(remote, 'old');
    await t.upload(local, remote, '0640');
    assert.ok(fs.readFileSync(remote).equals(data));
    assert.equal(fs.statSync(remote).mode & 0o7777, 0o640);
    assert.equal(t.bytesUploaded, data.length);
    assert.equal(t.roundTrips, 1);
    assert.deepEqual(leftovers(work, 'target.bin'), []);
  });

  test('upload without a mode keeps the local file mode', async () => {
    const t = await connect();
    const local = path.join(work, 'script.sh');
    fs.writeFileSync(local, '#!/bin/sh\n', { mode: 0o750 });
    fs.chmodSync(local, 0o750);
    const remote = path.join(work, 'installed.sh');
    await t.upload(local, remote);
    assert.equal(fs.statSync(remote).mode & 0o7777, 0o750);
  });

  test('a connection cut during upload leaves the old target whole and at most a named temp file; connect() reconnects', async () => {
    const t = await connect();
    const local = path.join(work, 'big');
    fs.writeFileSync(local, randomBytes(64 * 1024 * 1024));
    const remote = path.join(work, 'cut-target');
    fs.writeFileSync(remote, 'previous content');
    const upload = t.upload(local, remote, '0644');
    upload.catch(() => {});
    await waitFor(() => leftovers(work, 'cut-target').some((f) => fs.statSync(path.join(work, f)).size > 0));
    sshd.killSessions();
    await assert.rejects(upload, UnreachableError);
    assert.equal(fs.readFileSync(remote, 'utf8'), 'previous content');
    for (const f of leftovers(work, 'cut-target')) assert.match(f, /^\.cut-target\.psd-tmp-[0-9a-f]{8}$/);
    await assert.rejects(t.exec('true'), UnreachableError);
    await t.connect();
    assert.equal((await t.exec('echo back')).stdout, 'back\n');
  });

  test('a connection cut during exec rejects it as unreachable', async () => {
    const t = await connect();
    const marker = path.join(work, 'cut-started');
    const run = t.exec(`touch ${marker}; exec sleep 30`);
    run.catch(() => {});
    await waitFor(() => fs.existsSync(marker));
    sshd.killSessions();
    await assert.rejects(run, UnreachableError);
  });

  test('a host that goes silent is declared lost by keepalives, failing the command in flight', async () => {
    const t = await connect({ keepalive_interval: 0.2, keepalive_count: 2 });
    const marker = path.join(work, 'frozen-started');
    const run = t.exec(`touch ${marker}; exec sleep 30`);
    run.catch(() => {});
    await waitFor(() => fs.existsSync(marker));
    const frozen = sshd.sessionPids();
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      await assert.rejects(run, (e: Error) => e instanceof UnreachableError && /Keepalive timeout/i.test(e.message));
    } finally {
      sshd.killSessions(); // SIGKILL ends stopped processes too
    }
  });
});

function leftovers(dir: string, name: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith(`.${name}.psd-tmp-`));
}

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
