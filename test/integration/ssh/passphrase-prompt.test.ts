// The passphrase prompt on a terminal: asked once per key file, not echoed. A pty comes from util-linux `script`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { shq } from '../../../src/script/shell.js';
import { keygen, knownHostsLine, makeTempDir, startSshd, type Sshd } from './sshd.js';

const PASSPHRASE = 'pty-s3cret-phrase';
const transportModule = fileURLToPath(new URL('../../../src/transport/ssh.js', import.meta.url));

/** Runs in a child under the pty: two hosts sharing one encrypted key, connected at once. */
const DRIVER = `
import { createSshTransport } from ${JSON.stringify(transportModule)};
const [port, key, knownHosts] = process.argv.slice(1);
const vars = { host: '127.0.0.1', port, user: 'root', private_key_file: key, known_hosts_file: knownHosts };
const hosts = [createSshTransport('sw1', vars), createSshTransport('sw2', vars)];
try {
  await Promise.all(hosts.map((t) => t.connect()));
  const out = await Promise.all(hosts.map((t) => t.exec('echo up')));
  console.log('connected ' + out.filter((r) => r.stdout === 'up\\n').length);
} catch (e) {
  console.log('failed: ' + e.message);
} finally {
  await Promise.all(hosts.map((t) => t.close()));
}
`;

let sshd: Sshd;
let work: string;

before(async () => {
  sshd = await startSshd();
  work = makeTempDir('psd-ssh-pty-');
});
after(async () => {
  await sshd.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

test('on a terminal the passphrase is asked once for two hosts sharing the key, and never echoed', async () => {
  const key = path.join(work, 'encrypted');
  fs.appendFileSync(sshd.authorizedKeys, keygen(key, 'ed25519', PASSPHRASE) + '\n');
  const kh = path.join(work, 'known_hosts');
  fs.writeFileSync(kh, knownHostsLine(sshd) + '\n');

  const env: NodeJS.ProcessEnv = { ...process.env, HOME: work };
  delete env.PORTSYNC_SSH_PASSPHRASE;
  delete env.SSH_AUTH_SOCK;
  const cmd = [process.execPath, '--input-type=module', '-e', DRIVER, String(sshd.port), key, kh].map(shq).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));

  const deadline = Date.now() + 20_000;
  while (!out.includes('Passphrase for key')) {
    assert.ok(Date.now() < deadline, `no prompt; output so far: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.stdin.write(`${PASSPHRASE}\r`);
  assert.equal(await exited, 0);
  assert.match(out, /connected 2/);
  assert.equal(out.split('Passphrase for key').length - 1, 1);
  assert.ok(!out.includes(PASSPHRASE), `the passphrase was echoed: ${out}`);
});
