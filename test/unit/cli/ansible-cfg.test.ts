import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyAnsibleEnv, findAnsibleConfig, parseAnsibleConfig } from '../../../src/cli/ansible-cfg.js';
import { parseCliOptions } from '../../../src/cli/options.js';
import { ValidationError } from '../../../src/errors.js';
import { resolveSshOptions } from '../../../src/transport/ssh-options.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'bin/portsync-deploy.js');

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'psd-cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const CFG = `# an operator's config
[defaults]
inventory = hosts, ../more/extra.yaml
forks = 7
remote_user = ops
private_key_file = ~/.ssh/fleet_ed25519
host_key_checking = False
timeout = 25
vault_password_file = .vault-pass
gathering = explicit
callbacks_enabled = timer ; inline comment

[privilege_escalation]
become = True
become_user = root
become_method = sudo

[ssh_connection]
pipelining = True
ssh_args = -o ControlMaster=auto -o ProxyJump=admin@bastion:2222
`;

test('the keys that apply are read; paths resolve beside the file; the rest are noted', () => {
  const cfg = parseAnsibleConfig(CFG, '/etc/fleet/ansible.cfg', '/home/op');
  assert.deepEqual(cfg.inventory, ['/etc/fleet/hosts', '/etc/more/extra.yaml']);
  assert.equal(cfg.forks, 7);
  assert.equal(cfg.acceptNewHostKeys, true);
  assert.deepEqual(cfg.vaultPasswordFiles, ['/etc/fleet/.vault-pass']);
  assert.deepEqual(cfg.hostVars, {
    ansible_user: 'ops',
    ansible_ssh_private_key_file: '/home/op/.ssh/fleet_ed25519',
    ansible_timeout: 25,
    ansible_become: true,
    ansible_become_user: 'root',
    ansible_ssh_args: '-o ControlMaster=auto -o ProxyJump=admin@bastion:2222',
  });
  const notes = cfg.notes.join('\n');
  assert.match(notes, /:10: defaults\.gathering ignored: facts are read as tasks declare them/);
  assert.match(notes, /:11: defaults\.callbacks_enabled ignored: not used by portsync-deploy/);
  assert.match(notes, /ssh_connection\.pipelining ignored: every task of a host already runs in one script/);
});

test("ssh_args gives the jump host; the inventory's ansible_ssh_common_args overrides it", () => {
  const cfg = parseAnsibleConfig(CFG, '/etc/fleet/ansible.cfg', '/home/op');
  const o = resolveSshOptions('leaf01', { ...cfg.hostVars }, { user: 'me', home: '/home/op' });
  assert.deepEqual(o.jump, { user: 'admin', host: 'bastion', port: 2222 });
  assert.equal(o.user, 'ops');
  assert.equal(o.become, true);
  assert.equal(o.connectTimeoutMs, 25_000);
  const over = resolveSshOptions('leaf01', { ...cfg.hostVars, ansible_ssh_common_args: '-J other:22' }, { user: 'me', home: '/home/op' });
  assert.deepEqual(over.jump, { user: 'ops', host: 'other', port: 22 });
});

test('bad values fail with the line and a hint; become_method other than sudo is refused', () => {
  for (const [text, re] of [
    ['[defaults]\nforks = many\n', /forks = "many" is not a whole number/],
    ['[defaults]\nhost_key_checking = maybe\n', /is not a boolean/],
    ['[privilege_escalation]\nbecome_method = su\n', /become_method = "su" is not supported/],
    ['forks = 5\n', /comes before any \[section\]/],
  ] as const) {
    try {
      parseAnsibleConfig(text, '/x/ansible.cfg');
      assert.fail(text);
    } catch (e) {
      assert.ok(e instanceof ValidationError);
      assert.match(e.problems[0].message, re);
      assert.ok(e.problems[0].pos && e.problems[0].hint);
    }
  }
});

test('found where Ansible looks: ANSIBLE_CONFIG, ./ansible.cfg (not in a world-writable folder), ~/.ansible.cfg', (t) => {
  const dir = tempDir(t);
  const cwd = join(dir, 'cwd');
  const home = join(dir, 'home');
  mkdirSync(cwd);
  mkdirSync(home);
  assert.equal(findAnsibleConfig({}, cwd, home).file, undefined);
  writeFileSync(join(home, '.ansible.cfg'), '');
  assert.equal(findAnsibleConfig({}, cwd, home).file, join(home, '.ansible.cfg'));
  writeFileSync(join(cwd, 'ansible.cfg'), '');
  assert.equal(findAnsibleConfig({}, cwd, home).file, join(cwd, 'ansible.cfg'));
  writeFileSync(join(dir, 'env.cfg'), '');
  assert.equal(findAnsibleConfig({ ANSIBLE_CONFIG: join(dir, 'env.cfg') }, cwd, home).file, join(dir, 'env.cfg'));
  chmodSync(cwd, 0o777);
  const ww = findAnsibleConfig({}, cwd, home);
  assert.equal(ww.file, join(home, '.ansible.cfg'));
  assert.match(ww.notes[0], /world-writable/);
});

test('through the CLI: ./ansible.cfg names the inventory, -v shows what was ignored, -l @file limits', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'hosts'), '[leaf]\nleaf01\nleaf02\n');
  writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\ninventory = hosts\nretry_files_enabled = False\n');
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ANSIBLE_CONFIG: '', HOME: dir } });
  const list = run(['inventory', '--list', '-v']);
  assert.equal(list.status, 0, list.stderr);
  assert.deepEqual(JSON.parse(list.stdout).leaf.hosts, ['leaf01', 'leaf02']);
  assert.match(list.stderr, /ansible\.cfg: using .*ansible\.cfg/);
  assert.match(list.stderr, /defaults\.retry_files_enabled ignored: no \.retry files are written/);
  assert.doesNotMatch(run(['inventory', '--list']).stderr, /ignored/, 'notes only under -v');
  writeFileSync(join(dir, 'site.yaml'), '- hosts: leaf\n  tasks: []\n');
  writeFileSync(join(dir, 'retry'), 'leaf02\n');
  const hosts = run(['site.yaml', '--list-hosts', '-l', '@retry']);
  assert.equal(hosts.status, 0, hosts.stderr);
  assert.match(hosts.stdout, /hosts \(1\):\n\s+leaf02\n/);
  assert.equal(run(['site.yaml', '--list-hosts', '-l', '@nope']).status, 3);
});

test('ANSIBLE_* variables override the file, paths in them resolve against the current folder, the CLI overrides both', () => {
  const cfg = parseAnsibleConfig(CFG, '/etc/fleet/ansible.cfg', '/home/op');
  const env = {
    ANSIBLE_INVENTORY: 'inv/a,/abs/b',
    ANSIBLE_FORKS: '3',
    ANSIBLE_REMOTE_USER: 'netops',
    ANSIBLE_PRIVATE_KEY_FILE: '~/.ssh/other',
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_TIMEOUT: '9',
    ANSIBLE_BECOME: 'no',
    ANSIBLE_VAULT_PASSWORD_FILE: 'pw.txt',
  };
  const merged = applyAnsibleEnv(cfg, env, '/work/here', '/home/op');
  assert.deepEqual(merged.inventory, ['/work/here/inv/a', '/abs/b']);
  assert.equal(merged.forks, 3);
  assert.equal(merged.acceptNewHostKeys, false);
  assert.deepEqual(merged.vaultPasswordFiles, ['/work/here/pw.txt'], "the variable replaces the file's password file");
  assert.equal(merged.hostVars.ansible_user, 'netops');
  assert.equal(merged.hostVars.ansible_ssh_private_key_file, '/home/op/.ssh/other');
  assert.equal(merged.hostVars.ansible_timeout, 9);
  assert.equal(merged.hostVars.ansible_become, false);
  assert.match(merged.notes.join('\n'), /ANSIBLE_FORKS from the environment overrides defaults\.forks/);
  // The command line wins over the environment.
  const o = parseCliOptions(['site.yaml', '-f', '7', '-u', 'me', '-i', 'cli-inv'], merged);
  assert.equal(o.forks, 7);
  assert.equal(o.connectionVars.ansible_user, 'me');
  assert.deepEqual(o.inventory, ['cli-inv']);
  assert.equal(parseCliOptions(['site.yaml'], merged).forks, 3);
  // A bad value names the variable.
  assert.throws(
    () => applyAnsibleEnv(parseAnsibleConfig('', '/x/ansible.cfg'), { ANSIBLE_FORKS: 'many' }, '/'),
    (e: unknown) => e instanceof ValidationError && /ANSIBLE_FORKS = "many" is not a whole number/.test(e.problems[0]!.message),
  );
});
