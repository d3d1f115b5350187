// Interoperability with Debian's ansible-vault, both ways: vault data made by ansible-vault at
// test time is loaded (files and inline values, 1.1 and 1.2, several ids, password files,
// scripts and the environment), and what `portsync-deploy vault` writes is read by ansible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadInventory } from '../../../src/inventory/load.js';
import { hostVars } from '../../../src/vars/precedence.js';
import { parseExtraVars } from '../../../src/vars/extra.js';
import { setVaultPasswords } from '../../../src/vault/keyring.js';
import { collectVaultPasswords } from '../../../src/vault/passwords.js';
import { secrets } from '../../../src/secrets/redact.js';
import { shq } from '../../../src/script/shell.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'bin/portsync-deploy.js');
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ANSIBLE_VAULT|PORTSYNC_VAULT)/.test(k)));

function sh(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, cwd: opts.cwd, env: { ...CLEAN_ENV, NO_COLOR: '1', ...opts.env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const psd = (args: string[], opts: Parameters<typeof sh>[2] = {}) => sh(process.execPath, [BIN, ...args], opts);
const ansibleVault = (args: string[], opts: Parameters<typeof sh>[2] = {}) => {
  const r = sh('ansible-vault', args, opts);
  assert.equal(r.code, 0, `ansible-vault ${args.join(' ')}: ${r.err}`);
  return r.out;
};

function workDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'psd-vault-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'pw-default'), 'default-pass\n');
  writeFileSync(join(dir, 'pw-prod'), 'prod pass with spaces\n');
  // A password script, as Ansible runs it: executable, the password on stdout.
  writeFileSync(join(dir, 'pw-script'), '#!/bin/sh\necho script-pass\n');
  chmodSync(join(dir, 'pw-script'), 0o700);
  return dir;
}

test('inventory group_vars / host_vars files and inline values made by ansible-vault load, with several ids', async (t) => {
  const dir = workDir(t);
  const inv = join(dir, 'inv');
  mkdirSync(join(inv, 'group_vars'), { recursive: true });
  mkdirSync(join(inv, 'host_vars'));
  writeFileSync(join(inv, 'hosts.yaml'), 'all:\n  children:\n    leaf:\n      hosts:\n        leaf01:\n');
  // 1.1 file with the default id
  writeFileSync(join(inv, 'group_vars/leaf.yaml'), 'redis_password: "leaf-redis-secret"\nport: 6379\n');
  ansibleVault(['encrypt', '--vault-password-file', join(dir, 'pw-default'), join(inv, 'group_vars/leaf.yaml')]);
  // 1.2 inline value under the "prod" id, next to plain values
  const inline = ansibleVault(['encrypt_string', '--vault-id', `prod@${join(dir, 'pw-prod')}`, '--name', 'api_token', 'tok-9f8e7d'], {});
  writeFileSync(join(inv, 'host_vars/leaf01.yaml'), `plain: visible\n${inline}\n`);
  assert.match(readFileSync(join(inv, 'group_vars/leaf.yaml'), 'utf8'), /^\$ANSIBLE_VAULT;1\.1;AES256\n/);
  assert.match(inline, /!vault \|\n\s+\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);

  setVaultPasswords(
    await collectVaultPasswords(
      { passwordFiles: [join(dir, 'pw-default')], askVaultPass: false, vaultIds: [`prod@${join(dir, 'pw-prod')}`] },
      {},
      undefined,
    ),
  );
  const v = hostVars(loadInventory(inv), 'leaf01', {});
  assert.equal(v.redis_password, 'leaf-redis-secret');
  assert.equal(v.port, 6379);
  assert.equal(v.api_token, 'tok-9f8e7d');
  assert.equal(v.plain, 'visible');
  assert.equal(secrets.redactText('x leaf-redis-secret tok-9f8e7d visible'), 'x ******** ******** visible');
});

test('-e @file encrypted by ansible-vault with a password script, and the environment variable for CI', async (t) => {
  const dir = workDir(t);
  writeFileSync(join(dir, 'extra.yaml'), 'switch_password: from-script\n');
  ansibleVault(['encrypt', '--vault-password-file', join(dir, 'pw-script'), join(dir, 'extra.yaml')]);
  setVaultPasswords(
    await collectVaultPasswords({ passwordFiles: [join(dir, 'pw-script')], askVaultPass: false, vaultIds: [] }, {}, undefined),
  );
  assert.equal(parseExtraVars(['@extra.yaml'], dir).switch_password, 'from-script');

  writeFileSync(join(dir, 'ci.yaml'), 'ci_secret: from-env\n');
  ansibleVault(['encrypt', '--vault-password-file', join(dir, 'pw-default'), join(dir, 'ci.yaml')]);
  setVaultPasswords(
    await collectVaultPasswords(
      { passwordFiles: [], askVaultPass: false, vaultIds: [] },
      { PORTSYNC_VAULT_PASSWORD: 'default-pass' },
      undefined,
    ),
  );
  assert.equal(parseExtraVars(['@ci.yaml'], dir).ci_secret, 'from-env');
  setVaultPasswords(
    await collectVaultPasswords(
      { passwordFiles: [], askVaultPass: false, vaultIds: [] },
      { ANSIBLE_VAULT_PASSWORD_FILE: join(dir, 'pw-default') },
      undefined,
    ),
  );
  assert.equal(parseExtraVars(['@ci.yaml'], dir).ci_secret, 'from-env');
});

test('portsync-deploy vault encrypt / encrypt_string output is read by ansible-vault and ansible; ansible-vault output by vault view / decrypt', (t) => {
  const dir = workDir(t);
  const idProd = `prod@${join(dir, 'pw-prod')}`;
  // ours → ansible-vault, 1.1 and 1.2
  writeFileSync(join(dir, 'a.yaml'), 'k: "v1 with ünïcode"\n');
  assert.equal(psd(['vault', 'encrypt', join(dir, 'a.yaml'), '--vault-password-file', join(dir, 'pw-default')]).code, 0);
  assert.equal(statSync(join(dir, 'a.yaml')).mode & 0o777, 0o600);
  assert.equal(ansibleVault(['view', '--vault-password-file', join(dir, 'pw-default'), join(dir, 'a.yaml')]), 'k: "v1 with ünïcode"\n');
  const enc = psd(['vault', 'encrypt', '--vault-id', idProd], { input: 'from stdin\n' });
  assert.match(enc.out, /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
  writeFileSync(join(dir, 'b.vault'), enc.out);
  assert.equal(ansibleVault(['view', '--vault-id', idProd, join(dir, 'b.vault')]), 'from stdin\n');

  const str = psd(['vault', 'encrypt_string', '--vault-id', idProd, '--name', 'redis_password'], { input: 'r3dis-from-stdin\n' });
  assert.equal(str.code, 0, str.err);
  assert.ok(!str.out.includes('r3dis'));
  writeFileSync(join(dir, 'str.yaml'), str.out);
  const dbg = sh('ansible', [
    'localhost',
    '-c',
    'local',
    '-m',
    'debug',
    '-a',
    'var=redis_password',
    '-e',
    `@${join(dir, 'str.yaml')}`,
    '--vault-id',
    idProd,
  ]);
  assert.equal(dbg.code, 0, dbg.err);
  assert.match(dbg.out, /"redis_password": "r3dis-from-stdin"/);

  // ansible-vault → ours: view and decrypt in place
  writeFileSync(join(dir, 'c.yaml'), 'from: ansible\n');
  ansibleVault(['encrypt', '--vault-id', idProd, join(dir, 'c.yaml')]);
  assert.equal(psd(['vault', 'view', join(dir, 'c.yaml'), '--vault-id', idProd]).out, 'from: ansible\n');
  assert.equal(psd(['vault', 'decrypt', join(dir, 'c.yaml'), '--vault-id', idProd]).code, 0);
  assert.equal(readFileSync(join(dir, 'c.yaml'), 'utf8'), 'from: ansible\n');
});

test('bad vault input exits 3 with file:line and vault id, no ciphertext or plaintext, nothing written', (t) => {
  const dir = workDir(t);
  const inv = join(dir, 'inv');
  mkdirSync(join(inv, 'group_vars'), { recursive: true });
  writeFileSync(
    join(inv, 'hosts.yaml'),
    'all:\n  hosts:\n    leaf01:\n      connection: chroot\n      chroot_dir: ' + join(dir, 'root') + '\n',
  );
  mkdirSync(join(dir, 'root/etc'), { recursive: true });
  const site = join(dir, 'site.yaml');
  writeFileSync(site, '- hosts: all\n  tasks:\n    - copy:\n        dest: /etc/secret.conf\n        content: "{{ pw }}\\n"\n');
  const plain = 'pw: plaintext-never-shown\n';
  const ansibleText = (id?: string) => {
    writeFileSync(join(dir, 'tmp.yaml'), plain);
    ansibleVault([
      'encrypt',
      ...(id ? ['--vault-id', `${id}@${join(dir, 'pw-prod')}`] : ['--vault-password-file', join(dir, 'pw-prod')]),
      join(dir, 'tmp.yaml'),
    ]);
    return readFileSync(join(dir, 'tmp.yaml'), 'utf8');
  };
  const good = ansibleText();
  const lines = good.split('\n');
  const inlineProd = ansibleVault([
    'encrypt_string',
    '--vault-id',
    `prod@${join(dir, 'pw-prod')}`,
    '--name',
    'pw',
    'plaintext-never-shown',
  ]);
  const cases: { name: string; file: string; args: string[]; want: RegExp; where: RegExp }[] = [
    {
      name: 'wrong password',
      file: good,
      args: ['--vault-password-file', join(dir, 'pw-default')],
      want: /wrong vault password for vault id "default"/,
      where: /all\.yaml:1:1/,
    },
    {
      name: 'no password',
      file: good,
      args: [],
      want: /encrypted with vault id "default", but no vault password was given/,
      where: /all\.yaml:1:1/,
    },
    {
      name: 'truncated',
      file: lines.slice(0, 4).join('\n') + '\n',
      args: ['--vault-password-file', join(dir, 'pw-prod')],
      want: /truncated or corrupted/,
      where: /all\.yaml:1:1/,
    },
    {
      name: 'corrupted',
      file: [lines[0], lines[1].replace(/^../, 'zz'), ...lines.slice(2)].join('\n'),
      args: ['--vault-password-file', join(dir, 'pw-prod')],
      want: /truncated or corrupted/,
      where: /all\.yaml:1:1/,
    },
    {
      name: 'unknown vault id',
      file: `other: 1\n${inlineProd}\n`,
      args: ['--vault-password-file', join(dir, 'pw-default')],
      want: /unknown vault id "prod".*given: default/,
      where: /all\.yaml:2:\d+/,
    },
  ];
  for (const c of cases) {
    writeFileSync(join(inv, 'group_vars/all.yaml'), c.file);
    for (const json of [false, true]) {
      const r = psd([site, '-i', inv, ...c.args, ...(json ? ['--json'] : [])]);
      const all = r.out + r.err;
      const text = json
        ? r.out
            .trim()
            .split('\n')
            .flatMap((l) => (JSON.parse(l).problems ?? []).map((p: { text: string }) => p.text))
            .join('\n')
        : all;
      assert.equal(r.code, 3, `${c.name}: ${all}`);
      assert.match(text, c.want, c.name);
      assert.match(text, c.where, c.name);
      assert.ok(!all.includes('plaintext-never-shown'), `${c.name} leaked plaintext: ${all}`);
      for (const l of c.file.split('\n').filter((x) => /^\s*[0-9a-f]{20,}/.test(x)))
        assert.ok(!all.includes(l.trim().slice(0, 20)), `${c.name} leaked ciphertext: ${all}`);
      assert.ok(!/Error\n\s+at /.test(all), 'no stack trace');
    }
    assert.deepEqual(readdirSync(join(dir, 'root/etc')), [], 'nothing written');
  }
});

test('--ask-vault-pass asks once on the terminal, does not echo, and opens the vault; without a terminal it is exit 3', async (t) => {
  const dir = workDir(t);
  const inv = join(dir, 'inv');
  mkdirSync(join(inv, 'group_vars'), { recursive: true });
  writeFileSync(join(inv, 'hosts.yaml'), 'all:\n  hosts:\n    sw1:\n');
  writeFileSync(join(inv, 'group_vars/all.yaml'), 'token: typed-vault-secret\n');
  ansibleVault(['encrypt', '--vault-password-file', join(dir, 'pw-prod'), join(inv, 'group_vars/all.yaml')]);
  const typed = readFileSync(join(dir, 'pw-prod'), 'utf8').trim();

  // A pty comes from util-linux `script`.
  const cmd = [process.execPath, BIN, 'inventory', '-i', inv, '--host', 'sw1', '--ask-vault-pass'].map(shq).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: CLEAN_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const deadline = Date.now() + 20_000;
  while (!out.includes('Vault password: ')) {
    assert.ok(Date.now() < deadline, `no prompt; output so far: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.stdin.write(`${typed}\r`);
  assert.equal(await exited, 0, out);
  assert.match(out, /"token": "\*{8}"/);
  assert.equal(out.split('Vault password').length - 1, 1);
  assert.ok(!out.includes(typed), `the password was echoed: ${out}`);
  assert.ok(!out.includes('typed-vault-secret'));

  const noTty = psd(['inventory', '-i', inv, '--host', 'sw1', '--ask-vault-pass'], { input: typed + '\n' });
  assert.equal(noTty.code, 3);
  assert.match(noTty.err, /needs a terminal/);
});
