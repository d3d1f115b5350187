import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, symlinkSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createChrootTransport } from '../../../src/transport/chroot.js';
import { createLocalTransport } from '../../../src/transport/local.js';
import { gatherFacts } from '../../../src/facts/gather.js';
import { composeGatherScript, uniqueQueries } from '../../../src/facts/gather-script.js';

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'psd-gather-'));
  mkdirSync(join(root, 'etc/sysctl.d'), { recursive: true });
  return root;
}

test('one exec gathers files, stats, globs and commands under the chroot root, any bytes intact', async (t) => {
  const root = tempRoot();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const odd = 'a=1\n# \u00e9\u0000 \'quote\' "dq" $HOME `x`\n\n';
  writeFileSync(join(root, 'etc/sysctl.d/10-a.conf'), odd);
  writeFileSync(join(root, 'etc/sysctl.d/20-b.conf'), 'b=2\n');
  writeFileSync(join(root, 'etc/sysctl.d/skip.txt'), 'no');
  chmodSync(join(root, 'etc/sysctl.d/20-b.conf'), 0o600);
  symlinkSync('/etc/sysctl.d/20-b.conf', join(root, 'etc/link'));
  writeFileSync(join(root, 'etc/hostname'), 'leaf01\n');
  // Owners are named by the root's own files, not the control machine's.
  writeFileSync(join(root, 'etc/passwd'), 'admin:x:0:0::/root:/bin/sh\n');
  writeFileSync(join(root, 'etc/group'), 'wheel:x:0:\n');

  const tr = createChrootTransport('leaf01', root);
  await tr.connect();
  const facts = await gatherFacts(tr, [
    { kind: 'file', path: '/etc/sysctl.d/10-a.conf' },
    { kind: 'file', path: '/etc/missing' },
    { kind: 'stat', path: '/etc/sysctl.d/20-b.conf' },
    { kind: 'stat', path: '/etc/link' },
    { kind: 'stat', path: '/etc/missing' },
    { kind: 'files', glob: '/etc/sysctl.d/*.conf' },
    { kind: 'sysctl', key: 'net.core.somaxconn' },
    { kind: 'unit', name: 'portsyncd.service' },
    { kind: 'file', path: '/etc/sysctl.d/10-a.conf' },
  ]);
  assert.equal(tr.roundTrips, 1);
  assert.equal(facts.file('/etc/sysctl.d/10-a.conf'), odd);
  assert.equal(facts.file('/etc/missing'), null);
  const st = facts.stat('/etc/sysctl.d/20-b.conf');
  assert.equal(st?.type, 'file');
  assert.equal(st?.mode, '0600');
  assert.equal(st?.owner, 'admin');
  assert.equal(st?.group, 'wheel');
  assert.equal(st?.uid, 0);
  assert.equal(st?.size, 4);
  assert.equal(st?.sha256, createHash('sha256').update('b=2\n').digest('hex'));
  const followed = { ...st, mode: '0600' };
  const link = {
    type: 'link',
    mode: '0777',
    owner: 'admin',
    group: 'wheel',
    uid: 0,
    gid: 0,
    size: 23,
    target: '/etc/sysctl.d/20-b.conf',
    followed,
  };
  assert.deepEqual(facts.stat('/etc/link'), link);
  assert.equal(facts.stat('/etc/missing'), null);
  assert.deepEqual(facts.files('/etc/sysctl.d/*.conf'), { '/etc/sysctl.d/10-a.conf': odd, '/etc/sysctl.d/20-b.conf': 'b=2\n' });
  // offline root: no live values
  assert.equal(facts.sysctl('net.core.somaxconn'), null);
  assert.equal(facts.unit('portsyncd.service').active, 'offline');
  assert.equal(facts.host.hostname, 'leaf01');
  assert.equal(facts.host.systemd, false);
  assert.throws(() => facts.file('/etc/undeclared'), /not declared in needs/);
});

test('local transport reads live sysctls and command output with exit codes', async () => {
  const tr = createLocalTransport();
  const facts = await gatherFacts(tr, [
    { kind: 'sysctl', key: 'net.core.somaxconn' },
    { kind: 'sysctl', key: 'net.ipv4.tcp_delack_min' },
    { kind: 'cmd', argv: ['sh', '-c', 'printf "out\\n"; echo err >&2; exit 3'] },
  ]);
  assert.match(facts.sysctl('net.core.somaxconn') ?? '', /^\d+$/);
  assert.equal(facts.sysctl('net.ipv4.tcp_delack_min'), null);
  assert.deepEqual(facts.cmd(['sh', '-c', 'printf "out\\n"; echo err >&2; exit 3']), { rc: 3, stdout: 'out\n', stderr: 'err\n' });
  assert.ok(facts.host.sysctlKeys.includes('net.core.somaxconn'));
  assert.ok(!facts.host.sysctlKeys.includes('net.ipv4.tcp_delack_min'));
});

test('queries are deduplicated and a script cut short in transit runs nothing', async () => {
  const qs = uniqueQueries([
    { kind: 'file', path: '/a' },
    { kind: 'file', path: '/a' },
    { kind: 'stat', path: '/a' },
  ]);
  assert.equal(qs.length, 2);
  const script = composeGatherScript(qs, { root: '', offline: false }, 'echo hostname=x');
  const cut = script.slice(0, script.lastIndexOf('psd_gather'));
  const res = await createLocalTransport().exec(cut);
  assert.equal(res.stdout, '');
});

test('a files glob is read in one pass: hundreds of files, odd names, empty files, the same process count as one file', async (t) => {
  const root = tempRoot();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const want: Record<string, string> = {};
  for (let i = 0; i < 300; i++) {
    const name = `/etc/sysctl.d/${String(i).padStart(3, '0')}-k.conf`;
    want[name] = i % 50 === 0 ? '' : `k${i}=${i}\n\u0000\u00e9`;
    writeFileSync(join(root, name), want[name]!);
  }
  const odd = "/etc/sysctl.d/we ird\n'n\u00e4me'.conf";
  want[odd] = 'odd=1\n';
  writeFileSync(join(root, odd), want[odd]!);
  mkdirSync(join(root, 'etc/sysctl.d/dir.conf'));

  const tr = createChrootTransport('leaf01', root);
  await tr.connect();
  const facts = await gatherFacts(tr, [
    { kind: 'files', glob: '/etc/sysctl.d/*.conf' },
    { kind: 'files', glob: '/etc/none/*.conf' },
  ]);
  assert.equal(tr.roundTrips, 1);
  assert.deepEqual(facts.files('/etc/sysctl.d/*.conf'), want);
  assert.deepEqual(facts.files('/etc/none/*.conf'), {});

  // Cost: the processes the query starts do not grow with the number of files (traced by sh -x).
  const script = composeGatherScript([{ kind: 'files', glob: `${root}/etc/sysctl.d/*.conf` }], { root: '', offline: true }, 'true');
  const commands = (n: string) => n.split('\n').filter((l) => /^\++ (stat|cat|base64|tr) /.test(l)).length;
  const traced = spawnSync('sh', ['-xc', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(traced.status, 0, traced.stderr.slice(-2000));
  assert.ok(commands(traced.stderr) <= 8, `${commands(traced.stderr)} commands for 301 files`);
});
