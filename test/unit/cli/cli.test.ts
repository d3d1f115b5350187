// The CLI as a user runs it: the bin script in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const BIN = join(REPO, 'bin/portsync-deploy.js');

/** inventories/example-dc1 holds a vault-encrypted value; its example password file opens it. */
const EXAMPLE_VAULT_PASSWORD = join(REPO, 'inventories/example-dc1/example-only-vault-password.txt');

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ANSIBLE_VAULT_PASSWORD_FILE: EXAMPLE_VAULT_PASSWORD },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'psd-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('--help, --version, and usage errors exit 3', () => {
  const help = cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage:/);
  assert.match(help.out, /3 invalid input; nothing touched/);
  assert.match(cli(['--version']).out, /^\d+\.\d+\.\d+\n$/);
  const none = cli([]);
  assert.equal(none.code, 3);
  assert.match(none.err, /^Usage:/);
  const bad = cli(['site.yaml', '--frobnicate']);
  assert.equal(bad.code, 3);
  assert.match(bad.err, /--frobnicate/);
  assert.equal(cli(['site.yaml', '-i', 'x', '--forks', '0']).code, 3);
  const noInv = cli(['site.yaml']);
  assert.equal(noInv.code, 3);
  assert.match(noInv.err, /no inventory given\n {2}hint: pass -i/);
});

test('inventory --list and --host show resolved variables as ansible-inventory does', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'group_vars'));
  writeFileSync(
    join(dir, 'hosts.yaml'),
    'all:\n  children:\n    leaf:\n      hosts:\n        leaf01:\n          ansible_connection: local\n',
  );
  writeFileSync(join(dir, 'group_vars/leaf.yaml'), 'somaxconn: 4096\n');
  const list = cli(['inventory', '-i', dir, '--list']);
  assert.equal(list.code, 0, list.err);
  const inv = JSON.parse(list.out);
  assert.deepEqual(inv.leaf, { hosts: ['leaf01'] });
  assert.equal(inv._meta.hostvars.leaf01.ansible_connection, 'local');
  assert.equal(inv._meta.hostvars.leaf01.connection, undefined, "the tool's own alias names are not shown");
  assert.equal(inv._meta.hostvars.leaf01.somaxconn, 4096);
  const host = JSON.parse(cli(['inventory', '-i', dir, '--host', 'leaf01', '-e', 'somaxconn=8192']).out);
  assert.equal(host.somaxconn, '8192', '-e key=value gives a string, as in Ansible');
  assert.equal(cli(['inventory', '-i', dir, '--host', 'nope']).code, 3);
});

for (const [signal, exit] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  test(`${signal}: the host in flight finishes, no new host starts, the recap prints, exit ${exit}`, async (t) => {
    const dir = tempDir(t);
    const inv = join(dir, 'inv');
    mkdirSync(inv);
    writeFileSync(
      join(inv, 'hosts.yaml'),
      `all:\n  vars:\n    connection: local\n    out_dir: ${dir}\n  hosts:\n    sw1: {}\n    sw2: {}\n    sw3: {}\n`,
    );
    writeFileSync(
      join(dir, 'play.yaml'),
      `- name: slow
  hosts: all
  serial: 1
  tasks:
    - name: started
      command:
        argv: [touch, "{{ out_dir }}/{{ inventory_hostname }}.started"]
    - name: wait
      command:
        argv: [sleep, "0.8"]
    - name: mark
      copy:
        dest: "{{ out_dir }}/{{ inventory_hostname }}.done"
        content: done
`,
    );
    const child = spawn(process.execPath, [BIN, join(dir, 'play.yaml'), '-i', inv, '--json', '--forks', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    // The signal goes once sw1 is applying (its first change ran), never while it is still
    // being planned: a host stopped before its apply starts has no change in flight.
    const started = join(dir, 'sw1.started');
    const poll = setInterval(() => {
      if (!existsSync(started)) return;
      clearInterval(poll); // one signal only: a second one exits at once
      child.kill(signal);
    }, 20);
    const code = await new Promise<number | null>((r) => child.on('close', r));
    clearInterval(poll);
    assert.equal(code, exit, out);
    const events = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(events.at(-2), { event: 'interrupted', signal });
    assert.equal(events.at(-1).event, 'recap');
    assert.ok(existsSync(join(dir, 'sw1.done')), 'the host in flight finished its changes');
    assert.ok(!existsSync(join(dir, 'sw2.done')) && !existsSync(join(dir, 'sw3.done')), 'no new host started');
    assert.deepEqual(
      events.filter((e) => e.event === 'batch_start').map((e) => e.hosts),
      [['sw1']],
    );
  });
}

test('render and validate on the example fleet', () => {
  const inv = join(REPO, 'inventories/example-dc1');
  const r = cli(['render', '--host', 'dc1-leaf-01', 'portsyncd-dropin.conf.hbs', '-i', inv, '-e', 'task_name=limits']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^# Managed by portsync-deploy \(task: limits\)/);
  assert.match(r.out, /^\[Service\]$/m);
  const undef = cli(['render', '--host', 'dc1-leaf-01', 'portsyncd-dropin.conf.hbs', '-i', inv, '-e', 'portsyncd_limits=x']);
  assert.equal(undef.code, 3);
  assert.match(undef.err, /portsyncd-dropin\.conf\.hbs:\d+:\d+/);
  const v = cli(['validate', join(REPO, 'playbooks/site.yaml'), '-i', inv]);
  assert.equal(v.code, 0, v.err);
  assert.match(v.out, /^valid: 3 plays, \d+ tasks, 20 hosts\n$/);
});

test('an internal error prints one line and a request to report it, exits 70, and shows the stack only with PSD_DEBUG=1', () => {
  // A promise rejected with nobody to catch it, while the CLI writes its output.
  const crash =
    'data:text/javascript,const w = process.stdout.write.bind(process.stdout);' +
    'process.stdout.write = (...a) => { Promise.reject(new TypeError("boom in a callback")); return w(...a); };';
  const run = (debug: boolean) =>
    spawnSync(process.execPath, ['--import', crash, BIN, '--version'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', PSD_DEBUG: debug ? '1' : '' },
    });
  const plain = run(false);
  assert.equal(plain.status, 70);
  const lines = plain.stderr.trimEnd().split('\n');
  assert.equal(lines[0], 'internal error: TypeError: boom in a callback');
  assert.match(lines[1], /^ {2}hint: this is a bug in portsync-deploy; please report it/);
  assert.equal(lines.length, 2, `no stack without PSD_DEBUG:\n${plain.stderr}`);
  const debug = run(true);
  assert.equal(debug.status, 70);
  assert.match(debug.stderr, /^internal error: TypeError: boom in a callback\n/);
  assert.match(debug.stderr, /\n {4}at process\.stdout\.write/, 'PSD_DEBUG=1 adds the stack');
});

test('control characters in task and play names never reach a managed file or the terminal raw', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'root/etc'), { recursive: true });
  writeFileSync(join(dir, 'hosts.yaml'), `all:\n  hosts:\n    h1:\n      connection: chroot\n      chroot_dir: ${join(dir, 'root')}\n`);
  writeFileSync(
    join(dir, 'site.yaml'),
    [
      '- hosts: all',
      '  name: "play\\e[2J"',
      '  tasks:',
      '    - name: "tune\\nkernel.core_pattern = |/usr/local/bin/evil %p\\n#"',
      '      sysctl:',
      '        file: /etc/sysctl.d/50-x.conf',
      '        settings: {net.core.somaxconn: 4096}',
      '    - name: >',
      '        folded',
      '        name',
      '      sysctl:',
      '        file: /etc/sysctl.d/51-x.conf',
      '        settings: {net.core.somaxconn: 4096}',
      '',
    ].join('\n'),
  );
  const r = cli([join(dir, 'site.yaml'), '-i', join(dir, 'hosts.yaml')]);
  assert.equal(r.code, 0, r.err);
  for (const f of ['50-x.conf', '51-x.conf']) {
    const lines = readFileSync(join(dir, 'root/etc/sysctl.d', f), 'utf8').split('\n');
    assert.deepEqual(
      lines.filter((l) => l && !l.startsWith('#')),
      ['net.core.somaxconn = 4096'],
      `${f}: only the declared key outside comments:\n${lines.join('\n')}`,
    );
  }
  assert.match(
    readFileSync(join(dir, 'root/etc/sysctl.d/50-x.conf'), 'utf8'),
    /^# Managed by portsync-deploy \(task: tune kernel\.core_pattern = \|\/usr\/local\/bin\/evil %p #\)/,
    'the name is in the header, on one line',
  );
  assert.doesNotMatch(r.out + r.err, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'no control character but newline and tab on the terminal');
  assert.match(r.out, /TASK \[tune kernel\.core_pattern = \|\/usr\/local\/bin\/evil %p #\]/);
});

test('a playbook or inventory that is a FIFO, a device or a folder is refused at once, never waited on', (t) => {
  const dir = tempDir(t);
  const fifo = join(dir, 'fifo.yaml');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  mkdirSync(join(dir, 'inv'));
  writeFileSync(join(dir, 'inv/hosts.yaml'), 'all:\n  hosts:\n    h1: {}\n');
  writeFileSync(join(dir, 'site.yaml'), '- hosts: all\n  tasks: []\n');
  const cases: [string[], string][] = [
    [[fifo, '-i', join(dir, 'inv')], `${fifo}:1:1: cannot read ${fifo}: it is not a regular file`],
    [['/dev/zero', '-i', join(dir, 'inv')], '/dev/zero:1:1: cannot read /dev/zero: it is not a regular file'],
    [[join(dir, 'inv'), '-i', join(dir, 'inv')], `cannot read ${join(dir, 'inv')}: it is a directory, not a file`],
    [[join(dir, 'site.yaml'), '-i', fifo], `cannot read inventory ${fifo}: it is not a regular file`],
  ];
  for (const [args, message] of cases) {
    // Opening a FIFO for reading would wait for a writer forever: the timeout stands for "hangs".
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.signal, null, `waited on ${args.join(' ')}`);
    assert.equal(r.status, 3, r.stderr);
    assert.ok(r.stderr.includes(message), r.stderr);
  }
});

test('ansible.cfg, --limit @file, a vault password file, a file lookup and the vault command refuse a FIFO at once', (t) => {
  const dir = tempDir(t);
  const fifo = join(dir, 'fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  writeFileSync(join(dir, 'hosts.yaml'), 'all:\n  hosts:\n    h1:\n      connection: local\n');
  writeFileSync(join(dir, 'site.yaml'), '- hosts: all\n  tasks:\n    - debug: {msg: hi}\n');
  writeFileSync(join(dir, 'lookup.yaml'), `- hosts: all\n  tasks:\n    - debug: {msg: "{{ lookup('file', '${fifo}') }}"}\n`);
  writeFileSync(join(dir, 'secret.txt'), 'not a vault\n');
  const run = ['--check', '-i', join(dir, 'hosts.yaml')];
  const cases: [string[], Record<string, string>, string][] = [
    [[join(dir, 'site.yaml'), ...run], { ANSIBLE_CONFIG: fifo }, `cannot read ${fifo}: it is not a regular file`],
    [[join(dir, 'site.yaml'), ...run, '--limit', `@${fifo}`], {}, `--limit @${fifo}: cannot read it: it is not a regular file`],
    [[join(dir, 'site.yaml'), ...run, '--vault-password-file', fifo], {}, `vault password file ${fifo} is not a regular file`],
    [[join(dir, 'lookup.yaml'), ...run], {}, `${fifo}: it is not a regular file`],
    [['vault', 'view', fifo, '--vault-password-file', join(dir, 'secret.txt')], {}, `cannot read ${fifo}: it is not a regular file`],
  ];
  for (const [args, env, message] of cases) {
    // The timeout stands for "waited for a writer".
    const r = spawnSync(process.execPath, [BIN, ...args], {
      encoding: 'utf8',
      timeout: 60_000,
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    assert.equal(r.signal, null, `waited on ${args.join(' ')}`);
    assert.notEqual(r.status, 0, r.stderr);
    assert.ok(r.stderr.includes(message), `${args.join(' ')}: ${r.stderr}`);
  }
});

test('--limit "" (an unset shell variable) is an error, not every host', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'hosts.yaml'), 'all:\n  hosts:\n    h1:\n      connection: local\n');
  writeFileSync(join(dir, 'site.yaml'), '- hosts: all\n  tasks:\n    - debug: {msg: hi}\n');
  const r = cli([join(dir, 'site.yaml'), '-i', join(dir, 'hosts.yaml'), '--limit', '']);
  assert.equal(r.code, 3, r.out + r.err);
  assert.match(r.err, /^error: --limit is empty, so it selects no host\n/);
  assert.doesNotMatch(r.out, /PLAY/);
});
