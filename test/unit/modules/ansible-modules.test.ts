// Modules under Ansible's names and argument semantics, as (facts, args) -> changes tables.
import { kernelKeyQueries } from '../../../modules/sysctl/kernel-keys.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sysctl from '../../../modules/sysctl/index.js';
import { fixLines } from '../../../modules/sysctl/ansible-form.js';
import file from '../../../modules/file/index.js';
import lineinfile from '../../../modules/lineinfile/index.js';
import systemd from '../../../modules/systemd_service/index.js';
import command from '../../../modules/command/index.js';
import shell from '../../../modules/shell/index.js';
import { splitWords } from '../../../src/script/words.js';
import { loadModuleRegistry } from '../../../src/modules-registry.js';
import { MODULES_DIR } from '../../../src/cli/paths.js';
import { daemonReload } from '../../../modules/_shared/handlers.js';
import { fakeContext, fakeFacts } from '../../helpers/fake-facts.js';
import { fakeSystemctl } from '../../helpers/fake-systemctl.js';
import type { StatFact } from '../../../src/facts/types.js';

const ansibleSysctl = (a: Record<string, unknown>) =>
  ({ state: 'present', sysctl_file: '/etc/sysctl.conf', sysctl_set: false, reload: true, ignoreerrors: false, ...a }) as never;
const dir = (mode = '0755'): StatFact => ({ type: 'dir', mode, owner: 'root', group: 'root', size: 4096 });

test('ansible.posix.sysctl edits its line and keeps the rest of the file as Ansible rewrites it', () => {
  const before = '# tuning\nvm.swappiness = 10\n\nnet.core.somaxconn=1024\nvm.swappiness=99\n; old\n';
  assert.equal(fixLines(before, 'net.core.somaxconn', '8192', true), '# tuning\nvm.swappiness=10\n\nnet.core.somaxconn=8192\n; old\n');
  assert.equal(
    fixLines(before, 'net.ipv4.tcp_fastopen', '3', true),
    '# tuning\nvm.swappiness=10\n\nnet.core.somaxconn=1024\n; old\nnet.ipv4.tcp_fastopen=3\n',
  );
  assert.equal(fixLines(before, 'vm.swappiness', '', false), '# tuning\n\nnet.core.somaxconn=1024\n; old\n');
  assert.equal(fixLines('', 'a.b', '1', true), 'a.b=1\n');
});

test('ansible.posix.sysctl keeps the kernel-aware check and the live before -> after diff', () => {
  const file = '/etc/sysctl.d/60-fleet.conf';
  const facts = fakeFacts({
    files: { [file]: 'net.core.somaxconn=4096\n' },
    sysctl: { 'net.core.somaxconn': '4096', 'vm.swappiness': '60' },
  });
  const args = ansibleSysctl({ name: 'net.core.somaxconn', value: 8192, sysctl_file: file, sysctl_set: true });
  assert.deepEqual(sysctl.needs(args, fakeContext()), [
    { kind: 'file', path: file },
    { kind: 'sysctl', key: 'net.core.somaxconn' },
    ...kernelKeyQueries(['net.core.somaxconn'], fakeContext()),
  ]);
  const [c] = sysctl.diff(facts, args, fakeContext());
  assert.equal(c.summary, `update ${file}; net.core.somaxconn: 4096 -> 8192`);
  assert.match(c.diff!, /-net.core.somaxconn=4096\n\+net.core.somaxconn=8192\n/);
  assert.match(c.diff!, /live net.core.somaxconn: 4096 -> 8192/);
  assert.deepEqual(
    c.ops.map((o) => (o.kind === 'exec' ? o.argv.join(' ') : `${o.kind} ${'path' in o ? o.path : ''}`)),
    [`put ${file}`, 'sysctl -w net.core.somaxconn=8192', `sysctl -p ${file}`],
  );

  // Converged file but a drifted live value: only the live write.
  const live = fakeFacts({ files: { [file]: 'net.core.somaxconn=8192\n' }, sysctl: { 'net.core.somaxconn': '4096' } });
  assert.deepEqual(sysctl.diff(live, args, fakeContext())[0].ops, [
    {
      kind: 'exec',
      argv: ['sysctl', '-w', 'net.core.somaxconn=8192'],
      live: true,
      strictStderr: true,
      effects: [{ kind: 'sysctl', key: 'net.core.somaxconn', value: '8192' }],
    },
  ]);
  const done = fakeFacts({ files: { [file]: 'net.core.somaxconn=8192\n' }, sysctl: { 'net.core.somaxconn': '8192' } });
  assert.deepEqual(sysctl.diff(done, args, fakeContext()), []);
  // Booleans are written 1/0, as Ansible writes them.
  assert.match(
    sysctl.diff(facts, ansibleSysctl({ name: 'vm.swappiness', value: 'yes', sysctl_file: file }), fakeContext())[0].diff!,
    /\+vm.swappiness=1/,
  );

  const ctx = fakeContext();
  assert.deepEqual(sysctl.diff(facts, ansibleSysctl({ name: 'net.ipv4.tcp_delack_min', value: 1 }), ctx), []);
  assert.match(ctx.errors[0].message, /net.ipv4.tcp_delack_min does not exist on this kernel/);
  assert.deepEqual(ctx.errors[0].argPath, ['name']);
  assert.match(ctx.errors[0].hint!, /ignoreerrors/);
  const lenient = fakeContext();
  assert.deepEqual(sysctl.diff(facts, ansibleSysctl({ name: 'net.ipv4.tcp_delack_min', value: 1, ignoreerrors: true }), lenient), []);
  assert.match(lenient.warnings[0], /left alone/);
});

test("the registry answers to Ansible names and names the module that does an unknown one's job", async () => {
  const registry = await loadModuleRegistry(MODULES_DIR);
  for (const [alias, name] of [
    ['ansible.posix.sysctl', 'sysctl'],
    ['ansible.builtin.template', 'template'],
    ['ansible.builtin.copy', 'copy'],
    ['ansible.builtin.file', 'file'],
    ['ansible.builtin.lineinfile', 'lineinfile'],
    ['systemd', 'systemd_service'],
    ['ansible.builtin.systemd_service', 'systemd_service'],
    ['ansible.builtin.command', 'command'],
    ['ansible.builtin.shell', 'shell'],
    ['ansible.builtin.debug', 'debug'],
    ['ansible.builtin.assert', 'assert'],
    ['ansible.builtin.set_fact', 'set_fact'],
  ])
    assert.equal(registry.get(alias)?.name, name, alias);
  assert.deepEqual(registry.coveredBy('ansible.builtin.service'), ['systemd_service']);
  assert.deepEqual(registry.coveredBy('service'), ['systemd_service']);
  assert.deepEqual(registry.coveredBy('ansible.builtin.apt'), []);
  assert.deepEqual(
    registry.validateArgs('ansible.posix.sysctl', { name: 'net.core.somaxconn' }, {}).map((p) => p.message).length > 0,
    true,
  );
  assert.deepEqual(registry.validateArgs('ansible.posix.sysctl', { name: 'net.core.somaxconn', value: 1 }, {}), []);
  assert.deepEqual(registry.validateArgs('sysctl', { settings: { 'vm.swappiness': 1 } }, {}), []);
});

test('file: directory, absent, touch, link and the check of state: file', () => {
  const path = '/etc/systemd/system/portsyncd.service.d';
  const mk = file.diff(fakeFacts(), { path, state: 'directory', mode: '0750', owner: 'portsyncd' }, fakeContext());
  assert.equal(mk[0].summary, `create directory ${path}`);
  assert.deepEqual(mk[0].ops, [{ kind: 'dir', path, mode: '0750', owner: 'portsyncd' }]);
  assert.deepEqual(file.diff(fakeFacts(), { path, state: 'directory' }, fakeContext())[0].ops, [{ kind: 'dir', path }]);
  assert.deepEqual(file.diff(fakeFacts({ stats: { [path]: dir() } }), { path, state: 'directory', mode: '0755' }, fakeContext()), []);
  assert.deepEqual(
    file.diff(fakeFacts({ stats: { [path]: dir('0700') } }), { path, state: 'directory', mode: '0755' }, fakeContext())[0].ops,
    [{ kind: 'dir', path, mode: '0755' }],
  );
  assert.deepEqual(file.diff(fakeFacts({ stats: { [path]: dir() } }), { path, state: 'absent' }, fakeContext())[0].ops, [
    { kind: 'remove', path },
  ]);
  assert.deepEqual(file.diff(fakeFacts(), { path, state: 'absent' }, fakeContext()), []);
  assert.equal(file.diff(fakeFacts(), { path: '/etc/flag', state: 'touch' }, fakeContext())[0].ops[0].kind, 'put');
  const link = { type: 'link', mode: '0777', owner: 'root', group: 'root', size: 4, target: '/a' } as StatFact;
  assert.deepEqual(file.diff(fakeFacts({ stats: { '/l': link } }), { path: '/l', state: 'link', src: '/a' }, fakeContext()), []);
  assert.deepEqual(file.diff(fakeFacts({ stats: { '/l': link } }), { path: '/l', state: 'link', src: '/b' }, fakeContext())[0].ops, [
    { kind: 'symlink', path: '/l', target: '/b' },
  ]);
  const ctx = fakeContext();
  file.diff(fakeFacts(), { path: '/nope', state: 'file' }, ctx);
  assert.match(ctx.errors[0].message, /does not exist/);
  const wrong = fakeContext();
  file.diff(fakeFacts({ stats: { [path]: dir() } }), { path, state: 'touch' }, wrong);
  assert.match(wrong.errors[0].message, /is a directory, not a file/);
});

test('lineinfile: replace the last match, insert after/before, leave an existing line, remove', () => {
  const path = '/etc/ssh/sshd_config';
  const content = 'Port 22\n#PermitRootLogin yes\nUseDNS yes\n';
  const facts = fakeFacts({
    files: { [path]: content },
    stats: { [path]: { type: 'file', mode: '0644', owner: 'root', group: 'root', size: content.length } },
  });
  const after = (a: Record<string, unknown>) => {
    const c = lineinfile.diff(facts, { path, state: 'present', create: false, ...a } as never, fakeContext());
    return c.length ? (c[0].ops[0] as { content: string }).content : content;
  };
  assert.equal(after({ regexp: '^#?PermitRootLogin', line: 'PermitRootLogin no' }), 'Port 22\nPermitRootLogin no\nUseDNS yes\n');
  assert.equal(after({ line: 'UseDNS yes' }), content);
  assert.equal(after({ line: 'X 1', insertafter: '^Port' }), 'Port 22\nX 1\n#PermitRootLogin yes\nUseDNS yes\n');
  assert.equal(after({ line: 'X 1', insertbefore: 'BOF' }), 'X 1\n' + content);
  assert.equal(after({ line: 'X 1' }), content + 'X 1\n');
  assert.equal(after({ state: 'absent', regexp: '^Use' }), 'Port 22\n#PermitRootLogin yes\n');
  const ctx = fakeContext();
  lineinfile.diff(fakeFacts(), { path: '/etc/new', line: 'a', state: 'present', create: false }, ctx);
  assert.match(ctx.errors[0].hint!, /create: true/);
  const bad = fakeContext();
  lineinfile.diff(facts, { path, line: 'a', regexp: '(', state: 'present', create: false }, bad);
  assert.deepEqual(bad.errors[0].argPath, ['regexp']);
});

test('systemd_service: daemon_reload runs and reports ok; mask, enable and state from the unit', () => {
  const unit = { load: 'loaded', active: 'inactive', sub: 'dead', enabled: 'disabled' };
  const facts = fakeFacts({ units: { 'x.service': unit } });
  const reload = systemd.diff(facts, { daemon_reload: true }, fakeContext());
  assert.deepEqual(reload, [
    {
      summary: 'systemctl daemon-reload',
      ops: [
        { kind: 'exec', argv: ['systemctl', 'daemon-reload'], live: true, reload: { argv: ['systemctl', 'daemon-reload'], role: 'is' } },
      ],
      changed: false,
    },
  ]);
  const c = systemd.diff(facts, { name: 'x.service', enabled: true, state: 'started', daemon_reload: false }, fakeContext());
  assert.deepEqual(
    c.map((x) => x.summary),
    ['enable x.service', 'start x.service'],
  );
  assert.deepEqual(
    systemd.diff(facts, { name: 'x.service', masked: true, daemon_reload: false }, fakeContext()).map((x) => x.summary),
    ['mask x.service'],
  );
  const on = fakeFacts({ units: { 'x.service': { ...unit, enabled: 'enabled', active: 'active' } } });
  assert.deepEqual(systemd.diff(on, { name: 'x.service', enabled: true, state: 'started', daemon_reload: false }, fakeContext()), []);
});

test('a unit file notifying daemon-reload, then systemd_service enabled and started: one reload, after the enable, before the start', async (t) => {
  const fake = fakeSystemctl(t);
  const facts = fakeFacts({ units: { 'x.service': { load: 'loaded', active: 'inactive', sub: 'dead', enabled: 'disabled' } } });
  const service = systemd.diff(facts, { name: 'x.service', enabled: true, state: 'started', daemon_reload: false }, fakeContext());
  const out = await fake.run([
    { change: { summary: 'unit file', ops: [{ kind: 'put', path: `${fake.dir}/x.service`, content: '[Service]\n' }] }, sets: ['N0'] },
    ...service.map((change) => ({ change, sets: [] })),
    { change: { summary: daemonReload.summary, ops: daemonReload.ops, changed: false }, sets: [], when: ['N0'] },
  ]);
  assert.deepEqual(
    out.map((o) => o.status),
    ['ok', 'ok', 'ok', 'ok'],
  );
  // `systemctl enable` without --no-reload reloads by itself: that was two reloads.
  assert.deepEqual(fake.calls(), ['--no-reload enable x.service', 'daemon-reload', 'start x.service']);
});

test('command splits a free-form line as Ansible does (no shell); shell runs it with sh; chdir never pastes', () => {
  assert.deepEqual(splitWords(`/usr/bin/x --a "b c" 'd $e' f\\ g`), ['/usr/bin/x', '--a', 'b c', 'd $e', 'f g']);
  assert.throws(() => splitWords('a "b'), /no closing " quote/);
  const [run] = command.diff(
    fakeFacts(),
    { free_form: '/usr/local/sbin/x.sh --now', chdir: '/tmp/my dir', changed_when: true },
    fakeContext(),
  );
  assert.deepEqual((run.ops[0] as { argv: string[] }).argv, [
    '/bin/sh',
    '-c',
    'cd -- "$1" && shift && exec "$@"',
    'sh',
    '/tmp/my dir',
    '/usr/local/sbin/x.sh',
    '--now',
  ]);
  const [sh] = shell.diff(fakeFacts(), { free_form: 'echo a | wc -l' }, fakeContext());
  assert.deepEqual((sh.ops[0] as { argv: string[] }).argv, ['/bin/sh', '-c', 'echo a | wc -l']);
  assert.deepEqual(shell.diff(fakeFacts({ stats: { '/done': dir() } }), { free_form: 'x', creates: '/done' }, fakeContext()), []);
});
