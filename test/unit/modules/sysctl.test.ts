import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sysctl from '../../../modules/sysctl/index.js';
import type { SysctlArgs } from '../../../modules/sysctl/schema.js';
import { fakeContext, fakeFacts, type FakeFactsData } from '../../helpers/fake-facts.js';
import type { PlanContext } from '../../../src/module.js';
import { renderTemplate, validateArgs, withDefaults } from './support.js';
import { kernelKeyQueries, kernelKeys } from '../../../modules/sysctl/kernel-keys.js';
import { spawnSync } from 'node:child_process';
import { sysctlPath } from '../../../src/facts/gather-script.js';
import { gatherFacts } from '../../../src/facts/gather.js';
import { createLocalTransport } from '../../../src/transport/local.js';

const FILE = '/etc/sysctl.d/50-portsyncd.conf';

function ctx(opts: Partial<PlanContext> = {}) {
  return fakeContext({ taskName: 'Kernel tuning', render: renderTemplate, ...opts });
}

function args(a: Record<string, unknown>): SysctlArgs {
  return withDefaults<SysctlArgs>(sysctl.schema, a);
}

/** The file as the module renders it for `settings`, to build "already converged" facts. */
function rendered(settings: Record<string, string>): string {
  return renderTemplate('sysctl.conf.hbs', {
    managed_by: 'portsync-deploy',
    task_name: 'Kernel tuning',
    settings: Object.entries(settings).map(([key, value]) => ({ key, value })),
  });
}

/** Fake facts plus the kernel's key list (`kernelKeys`) and release, answered as the module's
 *  key check (kernel-keys.ts) would answer on such a kernel. */
type KernelData = FakeFactsData & { kernelKeys?: string[]; release?: string };

function onKernel(d: KernelData, keys: string[], c: PlanContext): FakeFactsData {
  const { kernelKeys: known, release, ...rest } = d;
  const check = kernelKeyQueries(keys, c).find((q) => q.kind === 'cmd');
  if (!known || !check || check.kind !== 'cmd') return rest;
  const siblings = (parent: string) => known.filter((k) => k.startsWith(parent) && !k.slice(parent.length).includes('.'));
  const stdout = keys
    .filter((k) => !known.includes(k))
    .map((k) => {
      const parent = k.slice(0, k.lastIndexOf('.') + 1);
      return [`absent ${sysctlPath(k)}`, ...siblings(parent).map((s) => `near ${s.slice(parent.length)}`)].join('\n') + '\n';
    })
    .join('');
  return {
    ...rest,
    cmds: { ...rest.cmds, [check.argv.join(' ')]: { rc: 0, stdout, stderr: '' } },
    sysctl: { ...rest.sysctl, ...(release ? { 'kernel.osrelease': release } : {}) },
  };
}

function plan(facts: KernelData, a: Record<string, unknown>, opts: Partial<PlanContext> = {}) {
  const c = ctx(opts);
  // As the engine does: needs while the task is prepared, then diff on the gathered facts.
  sysctl.needs(args(a), c);
  const keys = Object.keys(args(a).settings ?? {});
  const changes = sysctl.diff(fakeFacts(onKernel(facts, keys, c)), args(a), c);
  return { changes, warnings: c.warnings, errors: c.errors };
}

const wanted = { 'net.core.somaxconn': 8192, 'net.ipv4.tcp_rmem': '4096 87380 6291456' };
const wantedText = { 'net.core.somaxconn': '8192', 'net.ipv4.tcp_rmem': '4096 87380 6291456' };

test('converged host: file rendered and live values equal after normalisation -> no change', () => {
  const r = plan(
    { files: { [FILE]: rendered(wantedText) }, sysctl: { 'net.core.somaxconn': '8192', 'net.ipv4.tcp_rmem': '4096\t87380\t6291456' } },
    { settings: wanted },
  );
  assert.deepEqual(r.changes, []);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.errors, []);
});

test('rendered file carries the managing tool, the task and "do not edit"', () => {
  const head = rendered(wantedText).split('\n')[0];
  assert.match(head, /portsync-deploy/);
  assert.match(head, /Kernel tuning/);
  assert.match(head, /Do not edit/i);
});

test('new file: unified diff from /dev/null, put before the live writes, all in one change', () => {
  const r = plan({ sysctl: { 'net.core.somaxconn': '4096', 'net.ipv4.tcp_rmem': '4096\t131072\t6291456' } }, { settings: wanted });
  assert.equal(r.changes.length, 1);
  const [c] = r.changes;
  assert.match(c.diff!, /^--- \/dev\/null\n\+\+\+ b\/etc\/sysctl\.d\/50-portsyncd\.conf\t\(new file\)\n/);
  assert.match(c.diff!, /^\+net\.core\.somaxconn = 8192$/m);
  assert.match(c.diff!, /^live net\.core\.somaxconn: 4096 -> 8192$/m);
  assert.match(c.diff!, /^live net\.ipv4\.tcp_rmem: 4096 131072 6291456 -> 4096 87380 6291456$/m);
  assert.deepEqual(
    c.ops.map((o) => o.kind),
    ['put', 'exec', 'exec'],
  );
  assert.deepEqual(c.ops[0], { kind: 'put', path: FILE, content: rendered(wantedText), mode: '0644' });
  assert.deepEqual(c.ops[2], {
    kind: 'exec',
    argv: ['sysctl', '-w', 'net.ipv4.tcp_rmem=4096 87380 6291456'],
    live: true,
    strictStderr: true,
    effects: [{ kind: 'sysctl', key: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }],
  });
});

test('hand-edited file with correct live values: only the file changes, diff shows the edit', () => {
  const edited = rendered(wantedText).replace('net.core.somaxconn = 8192', 'net.core.somaxconn = 1024');
  const r = plan(
    { files: { [FILE]: edited }, sysctl: { 'net.core.somaxconn': '8192', 'net.ipv4.tcp_rmem': '4096 87380 6291456' } },
    { settings: wanted },
  );
  assert.equal(r.changes.length, 1);
  const [c] = r.changes;
  assert.match(c.diff!, /^--- a\/etc\/sysctl\.d\/50-portsyncd\.conf\n\+\+\+ b\/etc\/sysctl\.d\/50-portsyncd\.conf\n/);
  assert.match(c.diff!, /^-net\.core\.somaxconn = 1024\n\+net\.core\.somaxconn = 8192$/m);
  assert.doesNotMatch(c.diff!, /^live /m);
  assert.deepEqual(
    c.ops.map((o) => o.kind),
    ['put'],
  );
  assert.equal(c.summary, `update ${FILE}`);
});

test('live drift only: one sysctl -w for the differing key, no put', () => {
  const r = plan(
    { files: { [FILE]: rendered(wantedText) }, sysctl: { 'net.core.somaxconn': '4096', 'net.ipv4.tcp_rmem': '4096 87380 6291456' } },
    { settings: wanted },
  );
  assert.equal(r.changes.length, 1);
  assert.deepEqual(r.changes[0].ops, [
    {
      kind: 'exec',
      argv: ['sysctl', '-w', 'net.core.somaxconn=8192'],
      live: true,
      strictStderr: true,
      effects: [{ kind: 'sysctl', key: 'net.core.somaxconn', value: '8192' }],
    },
  ]);
  assert.equal(r.changes[0].summary, 'net.core.somaxconn: 4096 -> 8192');
  assert.equal(r.changes[0].diff, 'live net.core.somaxconn: 4096 -> 8192\n');
});

test('apply_live: false leaves the running kernel alone', () => {
  const r = plan(
    { files: { [FILE]: rendered(wantedText) }, sysctl: { 'net.core.somaxconn': '4096', 'net.ipv4.tcp_rmem': '1 2 3' } },
    { settings: wanted, apply_live: false },
  );
  assert.deepEqual(r.changes, []);
});

for (const [name, live, desired] of [
  ['tabs vs spaces', '4096\t87380\t6291456', '4096 87380 6291456'],
  ['surrounding and repeated whitespace', ' 4096   87380 6291456\n', '4096 87380 6291456'],
  ['leading zeros', '0010', '10'],
  ['YAML number vs kernel text', '8192', 8192],
  ['explicit plus sign', '+5', '5'],
] as const) {
  test(`normalisation: ${name} counts as equal`, () => {
    const r = plan(
      {
        files: { [FILE]: rendered({ 'net.core.somaxconn': String(desired).trim().replace(/\s+/g, ' ') }) },
        sysctl: { 'net.core.somaxconn': live },
      },
      {
        settings: { 'net.core.somaxconn': desired },
      },
    );
    assert.deepEqual(r.changes, []);
  });
}

test('normalisation keeps different numbers different', () => {
  const r = plan(
    { files: { [FILE]: rendered({ 'net.ipv4.tcp_rmem': '4096 87380 6291456' }) }, sysctl: { 'net.ipv4.tcp_rmem': '4096\t87381\t6291456' } },
    {
      settings: { 'net.ipv4.tcp_rmem': '4096 87380 6291456' },
    },
  );
  assert.equal(r.changes.length, 1);
});

const kernelFacts: KernelData = {
  release: '6.18.0',
  kernelKeys: ['net.core.somaxconn', 'net.ipv4.tcp_max_syn_backlog', 'net.ipv4.tcp_fastopen'],
  sysctl: { 'net.core.somaxconn': '8192' },
};
const withAbsent = { 'net.core.somaxconn': 8192, 'net.ipv4.tcp_backlog': 4096 };

test('absent key, missing: fail -> plan error naming key and kernel, pointing at the setting', () => {
  const r = plan(kernelFacts, { settings: withAbsent });
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0].message, 'sysctl key net.ipv4.tcp_backlog does not exist on this kernel (nor on any Linux)');
  assert.deepEqual(r.errors[0].argPath, ['settings', 'net.ipv4.tcp_backlog']);
  assert.match(r.errors[0].hint!, /somaxconn|tcp_max_syn_backlog/);
  assert.match(r.errors[0].hint!, /missing: warn/);
});

test('absent key that is a typo of a sibling -> hint suggests the sibling', () => {
  const r = plan(kernelFacts, { settings: { 'net.ipv4.tcp_fastopn': 3 } });
  assert.match(r.errors[0].hint!, /did you mean net\.ipv4\.tcp_fastopen\?/);
});

test('absent key, missing: warn -> warning, key left out of file and live; re-run converges', () => {
  const first = plan(kernelFacts, { settings: withAbsent, missing: 'warn' });
  assert.deepEqual(first.errors, []);
  assert.equal(first.warnings.length, 1);
  assert.match(first.warnings[0], /net\.ipv4\.tcp_backlog does not exist on this kernel \(6\.18\.0\)/);
  const put = first.changes[0].ops.find((o) => o.kind === 'put');
  assert.ok(put && put.kind === 'put');
  assert.doesNotMatch(put.content, /tcp_backlog/);
  assert.ok(!first.changes[0].ops.some((o) => o.kind === 'exec'));

  const again = plan({ ...kernelFacts, files: { [FILE]: put.content } }, { settings: withAbsent, missing: 'warn' });
  assert.deepEqual(again.changes, []);
});

test('absent key, missing: skip -> silently left out', () => {
  const r = plan(kernelFacts, { settings: withAbsent, missing: 'skip' });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  const put = r.changes[0].ops[0];
  assert.ok(put.kind === 'put' && !put.content.includes('tcp_backlog'));
});

test('online host without a key list: a null live value means absent', () => {
  const r = plan({ kernelKeys: [], sysctl: {} }, { settings: { 'kernel.irq_gq_threshold': 128 } });
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0].hint!, /Linux has no such sysctl/);
});

test('write-only key listed by the kernel is not absent; its live value is left alone with a warning', () => {
  const r = plan({ kernelKeys: ['net.ipv4.route.flush'], sysctl: {} }, { settings: { 'net.ipv4.route.flush': 1 } });
  assert.deepEqual(r.errors, []);
  assert.match(r.warnings[0], /net\.ipv4\.route\.flush cannot be read/);
  assert.deepEqual(
    r.changes[0].ops.map((o) => o.kind),
    ['put'],
  );
});

test('offline root: file put plus live writes (reported skipped by the engine) for keys whose file value changes', () => {
  const before = rendered({ 'net.core.somaxconn': '8192', 'net.ipv4.tcp_rmem': '1 2 3' });
  const r = plan({ kernelKeys: [], files: { [FILE]: before } }, { settings: wanted }, { offline: true });
  assert.deepEqual(r.errors, []);
  assert.equal(r.changes.length, 1);
  assert.deepEqual(r.changes[0].ops.slice(1), [
    {
      kind: 'exec',
      argv: ['sysctl', '-w', 'net.ipv4.tcp_rmem=4096 87380 6291456'],
      live: true,
      strictStderr: true,
      effects: [{ kind: 'sysctl', key: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }],
    },
  ]);
  const converged = plan({ kernelKeys: [], files: { [FILE]: rendered(wantedText) } }, { settings: wanted }, { offline: true });
  assert.deepEqual(converged.changes, []);
});

test('a later-loading file that sets the same key differently -> warning with its file:line', () => {
  const r = plan(
    {
      files: {
        [FILE]: rendered(wantedText),
        '/etc/sysctl.d/10-early.conf': 'net.core.somaxconn = 128\nnet.ipv4.tcp_rmem = 1 1 1\n',
        '/usr/lib/sysctl.d/90-vendor.conf': '# vendor\n\n-net/core/somaxconn=1024\n',
      },
      sysctl: { 'net.core.somaxconn': '8192', 'net.ipv4.tcp_rmem': '4096 87380 6291456' },
    },
    { settings: wanted },
  );
  assert.deepEqual(r.changes, []);
  assert.deepEqual(r.warnings, [
    `/usr/lib/sysctl.d/90-vendor.conf:3 sets net.core.somaxconn = 1024, which loads after ${FILE} and overrides 8192 at boot`,
  ]);
});

test('/etc/sysctl.conf loads after every sysctl.d file; a file shadowed by a same-named /etc file is ignored', () => {
  const r = plan(
    {
      files: {
        [FILE]: rendered(wantedText),
        '/usr/lib/sysctl.d/70-x.conf': 'net.ipv4.tcp_rmem = 1 2 3\n',
        '/etc/sysctl.d/70-x.conf': '# masked\n',
        '/run/sysctl.d/99-late.conf': 'net.core.somaxconn = 3\n',
        '/etc/sysctl.conf': '\nnet.core.somaxconn=2\n',
      },
      sysctl: { 'net.core.somaxconn': '8192', 'net.ipv4.tcp_rmem': '4096 87380 6291456' },
    },
    { settings: wanted },
  );
  assert.deepEqual(r.warnings, [`/etc/sysctl.conf:2 sets net.core.somaxconn = 2, which loads after ${FILE} and overrides 8192 at boot`]);
});

test('a globbed key in a later file counts; a later file agreeing with us clears an earlier override', () => {
  const r = plan(
    {
      files: {
        [FILE]: rendered(wantedText),
        '/run/sysctl.d/80-glob.conf': 'net.ipv4.tcp_r*em = 1 1 1\nnet.core.somaxconn = 1\n',
        '/etc/sysctl.d/90-fix.conf': 'net.core.somaxconn = 8192\n',
      },
      sysctl: { 'net.core.somaxconn': '8192', 'net.ipv4.tcp_rmem': '4096 87380 6291456' },
    },
    { settings: wanted },
  );
  assert.deepEqual(r.warnings, [
    `/run/sysctl.d/80-glob.conf:1 sets net.ipv4.tcp_rmem = 1 1 1, which loads after ${FILE} and overrides 4096 87380 6291456 at boot`,
  ]);
});

test('a managed file shadowed by a same-named file in /etc, or outside sysctl.d, is reported', () => {
  const shadowed = plan(
    { files: { '/etc/sysctl.d/50-x.conf': '' }, sysctl: { 'net.core.somaxconn': '8192' } },
    {
      file: '/usr/lib/sysctl.d/50-x.conf',
      settings: { 'net.core.somaxconn': 8192 },
    },
  );
  assert.deepEqual(shadowed.warnings, ['/etc/sysctl.d/50-x.conf has the same name as /usr/lib/sysctl.d/50-x.conf and shadows it at boot']);
  const elsewhere = plan({ sysctl: { 'net.core.somaxconn': '8192' } }, { file: '/opt/x.conf', settings: { 'net.core.somaxconn': 8192 } });
  assert.deepEqual(elsewhere.warnings, ['/opt/x.conf is not in a sysctl.d directory, so it is not loaded at boot']);
});

test('state: absent removes the file, once', () => {
  const r = plan({ files: { [FILE]: rendered(wantedText) } }, { state: 'absent' });
  assert.deepEqual(r.changes[0].ops, [{ kind: 'remove', path: FILE }]);
  assert.match(r.changes[0].diff!, /^\+\+\+ \/dev\/null\t\(deleted\)$/m);
  assert.deepEqual(plan({}, { state: 'absent' }).changes, []);
});

test('schema: injection through values and keys is rejected', () => {
  for (const bad of [
    { settings: { 'net.core.somaxconn': '1\nkernel.core_pattern=|/tmp/x' } },
    { settings: { 'net.core.somaxconn': '1 # comment' } },
    { settings: { 'net.core.somaxconn': 'a=b' } },
    { settings: { 'net.core.somaxconn': '1\r' } },
    { settings: { 'net.core.somaxconn x': '1' } },
    { settings: { 'net.core.somaxconn=1\nkernel.x': '1' } },
    { settings: { '-net.core.somaxconn': '1' } },
    { settings: { 'net.core.somaxconn': 2 ** 64 } },
    { settings: { 'net.core.somaxconn': true } },
    { file: 'relative.conf', settings: {} },
    { file: '/etc/sysctl.d/50-x', settings: {} },
    { missing: 'ignore', settings: {} },
    {},
  ]) {
    assert.equal(validateArgs(sysctl.schema, bad).ok, false, JSON.stringify(bad));
  }
});

test('schema: tab-separated vectors, interface keys and defaults are accepted', () => {
  const r = validateArgs<SysctlArgs>(sysctl.schema, {
    settings: {
      'net.ipv4.tcp_rmem': '4096\t87380\t6291456',
      'net.ipv4.conf.Ethernet0.rp_filter': 0,
      'net.ipv4.conf.Ethernet0/100.forwarding': 1,
      'kernel.core_pattern': '|/usr/lib/x %p',
    },
  });
  assert.ok(r.ok);
  assert.deepEqual(
    { ...r.args, settings: undefined },
    { file: FILE, state: 'present', apply_live: true, missing: 'fail', settings: undefined },
  );
  assert.ok(validateArgs(sysctl.schema, { state: 'absent' }).ok);
});

test('needs: the file, each key, and the boot-order files', () => {
  const q = sysctl.needs(args({ settings: wanted }), ctx());
  assert.deepEqual(q, [
    { kind: 'file', path: FILE },
    { kind: 'sysctl', key: 'net.core.somaxconn' },
    { kind: 'sysctl', key: 'net.ipv4.tcp_rmem' },
    ...kernelKeyQueries(['net.core.somaxconn', 'net.ipv4.tcp_rmem'], ctx()),
    { kind: 'files', glob: '/etc/sysctl.d/*.conf' },
    { kind: 'files', glob: '/run/sysctl.d/*.conf' },
    { kind: 'files', glob: '/usr/local/lib/sysctl.d/*.conf' },
    { kind: 'files', glob: '/usr/lib/sysctl.d/*.conf' },
    { kind: 'file', path: '/etc/sysctl.conf' },
  ]);
});

test('the key check: one sh on a live kernel (none offline), run here for real: a typo is absent, with its siblings', () => {
  const keys = ['net.core.somaxconn', 'net.core.somaxcon', 'kernel.ostype'];
  // An offline root runs nothing: its own /proc/sys, if it has one, is looked at path by path.
  assert.deepEqual(
    kernelKeyQueries(keys, ctx({ offline: true })).map((q) => q.kind === 'stat' && q.path),
    ['/proc/sys', '/proc/sys/net/core/somaxconn', '/proc/sys/net/core/somaxcon', '/proc/sys/kernel/ostype'],
  );
  const queries = kernelKeyQueries(keys, ctx());
  assert.deepEqual(
    queries.map((q) => q.kind),
    ['cmd', 'sysctl'],
  );
  const check = queries[0]!;
  assert.ok(check.kind === 'cmd');
  const run = spawnSync(check.argv[0]!, check.argv.slice(1), { encoding: 'utf8' });
  const facts = fakeFacts({
    cmds: { [check.argv.join(' ')]: { rc: run.status ?? 1, stdout: run.stdout, stderr: run.stderr } },
    sysctl: { 'kernel.osrelease': '6.1.0\n' },
  });
  const kernel = kernelKeys(facts, keys, ctx());
  assert.deepEqual([...kernel!.absent.keys()], ['net.core.somaxcon']);
  assert.ok(kernel!.absent.get('net.core.somaxcon')!.includes('somaxconn'));
  assert.equal(kernel!.release, '6.1.0');
  const r = plan(
    { sysctl: { 'net.core.somaxconn': '4096' }, cmds: { [check.argv.join(' ')]: { rc: 0, stdout: run.stdout, stderr: '' } } },
    {
      settings: { 'net.core.somaxconn': 4096, 'net.core.somaxcon': 1, 'kernel.ostype': 'Linux' },
    },
  );
  assert.deepEqual(
    r.errors.map((e) => [e.argPath, /did you mean net\.core\.somaxconn\?/.test(e.hint ?? '')]),
    [[['settings', 'net.core.somaxcon'], true]],
  );
});

test("the key check in a live gather: where every key is there its answer is the script's own, without running it", async () => {
  const gathered = async (keys: string[], vouched: boolean) => {
    const queries = kernelKeyQueries(keys, ctx()).map((q) => {
      if (q.kind !== 'cmd' || vouched) return q;
      const { quietWhenExist: _vouch, ...run } = q;
      return run;
    });
    return kernelKeys(await gatherFacts(createLocalTransport(), queries), keys, ctx());
  };
  const there = ['net.core.somaxconn', 'kernel.ostype'];
  // Only the keys' existence is vouched for: a missing key still runs the script.
  const check = kernelKeyQueries(there, ctx())[0]!;
  assert.ok(check.kind === 'cmd');
  assert.deepEqual(check.quietWhenExist, ['/proc/sys/net/core/somaxconn', '/proc/sys/kernel/ostype']);
  for (const keys of [there, [...there, 'net.core.somaxcon']]) assert.deepEqual(await gathered(keys, true), await gathered(keys, false));
  assert.deepEqual([...(await gathered(there, true))!.absent.keys()], []);
  const typo = await gathered([...there, 'net.core.somaxcon'], true);
  assert.deepEqual([...typo!.absent.keys()], ['net.core.somaxcon']);
  assert.ok(typo!.absent.get('net.core.somaxcon')!.includes('somaxconn'));
});

test('inspect: desired, live and persisted per key', () => {
  const keys = ['net.core.somaxconn', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_backlog'];
  const states = sysctl.inspect!(
    fakeFacts(
      onKernel(
        {
          kernelKeys: ['net.core.somaxconn', 'net.ipv4.tcp_rmem'],
          files: { [FILE]: rendered({ 'net.core.somaxconn': '8192' }) },
          sysctl: { 'net.core.somaxconn': '8192', 'net.ipv4.tcp_rmem': '4096\t87380\t6291456' },
        },
        keys,
        ctx(),
      ),
    ),
    args({ settings: { ...wanted, 'net.ipv4.tcp_backlog': 1 }, missing: 'warn' }),
    ctx(),
  );
  assert.deepEqual(states, [
    { setting: 'net.core.somaxconn', desired: '8192', live: '8192', persisted: '8192', ok: true },
    { setting: 'net.ipv4.tcp_rmem', desired: '4096 87380 6291456', live: '4096 87380 6291456', persisted: null, ok: false },
    { setting: 'net.ipv4.tcp_backlog', desired: '1', live: null, persisted: null, ok: true },
  ]);
});

test('keys no Linux has fail even on an offline root; other keys there warn that they could not be verified, unless a key list names them', () => {
  const offline = plan(
    { kernelKeys: [], sysctl: {} },
    { settings: { 'net.netlink.max_recvbuf_size': 1, 'net.core.somaxconn': 4096 } },
    { offline: true },
  );
  assert.deepEqual(
    offline.errors.map((e) => e.argPath),
    [['settings', 'net.netlink.max_recvbuf_size']],
  );
  assert.match(offline.warnings.join('\n'), /could not verify that the target kernel has net\.core\.somaxconn: the root is offline/);

  const dir = mkdtempSync(join(tmpdir(), 'psd-keys-'));
  try {
    const list = join(dir, 'keys');
    writeFileSync(list, 'net.core.somaxconn = 4096\nnet.ipv4.tcp_fastopen = 1\n');
    const listed = plan(
      { kernelKeys: [], sysctl: {} },
      { settings: { 'net.core.somaxconn': 4096, 'net.core.nosuch': 1 } },
      { offline: true, vars: { sysctl_keys_file: list } },
    );
    assert.deepEqual(
      listed.errors.map((e) => e.argPath),
      [['settings', 'net.core.nosuch']],
    );
    assert.deepEqual(
      listed.warnings.filter((w) => /could not verify/.test(w)),
      [],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
