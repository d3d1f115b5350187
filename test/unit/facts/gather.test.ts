import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, symlinkSync, rmSync, chmodSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createChrootTransport } from '../../../src/transport/chroot.js';
import { createLocalTransport } from '../../../src/transport/local.js';
import { gather, gatherFacts } from '../../../src/facts/gather.js';
import { composeGatherScript, outputText, parseGatherOutput, uniqueQueries } from '../../../src/facts/gather-script.js';
import type { FactQuery } from '../../../src/facts/types.js';
import type { JSONSchema } from '../../../src/module.js';
import copy from '../../../modules/copy/index.js';
import { fakeContext } from '../../helpers/fake-facts.js';
import { withDefaults } from '../modules/support.js';

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
    { kind: 'host' },
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
  assert.deepEqual(facts.cmd(['sh', '-c', 'printf "out\\n"; echo err >&2; exit 3']), { rc: 3, stdout: 'out\n', stderr: 'err' });
  // No task declared the host section: it was not read.
  assert.throws(() => facts.host, /fact host was read but not declared/);
});

test('a live host: stats batched, kernel files read whole, units in one call, any bytes intact', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-gather-live-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bin = Buffer.from([0, 1, 2, 0xff, 0x0a, 0x0a]);
  writeFileSync(join(dir, 'bin'), bin);
  writeFileSync(join(dir, 'empty'), '');
  writeFileSync(join(dir, 'shut'), 'secret\n');
  chmodSync(join(dir, 'shut'), 0o000);
  symlinkSync(join(dir, 'bin'), join(dir, 'link'));
  mkdirSync(join(dir, 'sub'));
  symlinkSync(join(dir, 'sub'), join(dir, 'dlink'));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'broken'));
  const tr = createLocalTransport();
  const facts = await gatherFacts(tr, [
    { kind: 'stat', path: join(dir, 'bin') },
    { kind: 'stat', path: join(dir, 'sub') },
    { kind: 'stat', path: join(dir, 'shut') },
    { kind: 'stat', path: join(dir, 'link') },
    { kind: 'stat', path: join(dir, 'none') },
    { kind: 'stat', path: join(dir, 'empty') },
    { kind: 'stat', path: join(dir, 'dlink') },
    { kind: 'stat', path: join(dir, 'broken') },
    { kind: 'file', path: join(dir, 'bin') },
    { kind: 'file', path: join(dir, 'empty') },
    { kind: 'file', path: '/proc/self/status' },
    { kind: 'file', path: '/proc/sys/kernel/ostype' },
    { kind: 'unit', name: 'psd-no-such-unit-a.service' },
    { kind: 'unit', name: 'psd-no-such-unit-b.service' },
  ]);
  assert.equal(tr.roundTrips, 1);
  const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  assert.deepEqual(
    { ...facts.stat(join(dir, 'bin')), uid: 0, gid: 0, owner: '', group: '' },
    { type: 'file', mode: '0644', uid: 0, gid: 0, owner: '', group: '', size: 6, sha256: sha(bin) },
  );
  assert.equal(facts.stat(join(dir, 'sub'))?.type, 'dir');
  assert.equal(facts.stat(join(dir, 'sub'))?.sha256, undefined);
  assert.equal(facts.stat(join(dir, 'shut'))?.mode, '0000');
  if (process.getuid?.() !== 0) assert.equal(facts.stat(join(dir, 'shut'))?.sha256, undefined);
  assert.equal(facts.stat(join(dir, 'empty'))?.sha256, sha(''));
  const link = facts.stat(join(dir, 'link'));
  assert.equal(link?.type, 'link');
  assert.equal(link?.target, join(dir, 'bin'));
  assert.equal(link?.followed?.sha256, sha(bin));
  assert.equal(facts.stat(join(dir, 'none')), null);
  assert.equal(facts.stat(join(dir, 'dlink'))?.followed?.type, 'dir');
  assert.equal(facts.stat(join(dir, 'dlink'))?.target, join(dir, 'sub'));
  const broken = facts.stat(join(dir, 'broken'));
  assert.deepEqual([broken?.type, broken?.target, broken?.followed], ['link', join(dir, 'nowhere'), undefined]);
  assert.equal(facts.file(join(dir, 'bin')), bin.toString('utf8'));
  assert.equal(facts.file(join(dir, 'empty')), '');
  // Kernel files say size 0 (procfs) or 4096 (sysfs): read whole all the same.
  assert.match(facts.file('/proc/self/status') ?? '', /^Name:/);
  assert.equal(facts.file('/proc/sys/kernel/ostype'), 'Linux\n');
  const loads = ['a', 'b'].map((u) => facts.unit(`psd-no-such-unit-${u}.service`).load);
  assert.deepEqual(loads, existsSync('/run/systemd/system') ? ['not-found', 'not-found'] : ['unknown', 'unknown']);
});

test('a play of one copy task reads that file and nothing else', () => {
  const args = { dest: '/etc/motd', content: 'hello\n' };
  const queries = copy.needs(withDefaults(copy.schema as JSONSchema, args), fakeContext({ vars: {} }));
  const script = composeGatherScript(uniqueQueries(queries), { root: '', offline: false });
  const paths = [...script.matchAll(/'(\/[^']*)'/g)].map((m) => m[1]);
  // Its folder only by where it leads (a folder swapped before the apply is not written through).
  assert.deepEqual([...new Set(paths)], ['/etc/motd', '/etc']);
  assert.match(script, /leads '\/etc';/);
  for (const never of ['/proc', '/sys', 'interrupts', 'irqbalance', 'find ', 'systemctl', 'uname'])
    assert.ok(!script.includes(never), never);
});

/** Commands a script starts, counted by wrappers put first on PATH. */
function countCommands(script: string, dir: string): number {
  return startedCommands(script, dir).length;
}

/** The commands a script starts, in order, logged by wrappers put first on PATH. */
function startedCommands(script: string, dir: string): string[] {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const log = join(dir, 'log');
  writeFileSync(log, '');
  for (const cmd of [
    'stat',
    'cat',
    'cp',
    'base64',
    'tr',
    'sha256sum',
    'mktemp',
    'rm',
    'cut',
    'readlink',
    'awk',
    'grep',
    'find',
    'uname',
    'pidof',
    'systemctl',
    'sh',
  ]) {
    const real = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();
    if (!real) continue;
    writeFileSync(join(bin, cmd), `#!/bin/sh\necho ${cmd} >> '${log}'\nexec ${real} "$@"\n`, { mode: 0o755 });
  }
  // The gather's own shell is not counted: the transport starts it.
  const run = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  assert.equal(run.status, 0, run.stderr.slice(-2000));
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

test('the processes a gather starts do not grow with the number of queries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-gather-count-'));
  try {
    const queries = (n: number): FactQuery[] =>
      Array.from({ length: n }, (_, i) => {
        writeFileSync(join(dir, `f${i}`), `v${i}\n`);
        return [
          { kind: 'file' as const, path: join(dir, `f${i}`) },
          { kind: 'stat' as const, path: join(dir, `f${i}`) },
          { kind: 'sysctl' as const, key: i % 2 ? 'kernel.ostype' : 'kernel.osrelease' },
          // A module's script run by the gather's own shell: a subshell, no `sh` started.
          {
            kind: 'cmd' as const,
            argv: ['sh', '-c', 'for p; do [ -e "$p" ] || echo "absent $p"; done', 'sh', join(dir, `f${i}`)],
            inShell: true as const,
          },
        ];
      }).flat();
    const started = (n: number) => countCommands(composeGatherScript(uniqueQueries(queries(n)), { root: '', offline: false }), dir);
    // One stat -L for the stats and the blob's sizes (hashed from the contents the file queries
    // read: no sha256sum; no links: no stat of their own); one grep for the blob and the kernel
    // files. Where the folders lead and the modules' scripts take builtins only; no temporary
    // folder, no base64, no cat.
    assert.equal(started(40), started(1));
    assert.equal(started(40), 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("links of any name lead where readlink says, told by the stat'ed paths' own stat: no readlink started", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-gather-links-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'file'), 'x\n');
  // Names and targets that imitate the ' -> ' between them, span lines, quote, or are not ASCII.
  const links: [string, string][] = [
    ['plain', join(dir, 'file')],
    ['we ird\n -> \'q"', `rel -> ative\n'x`],
    ['é -> ', join(dir, ' -> ')],
    [' -> ', 'file'],
  ];
  for (const [name, target] of links) symlinkSync(target, join(dir, name));
  writeFileSync(join(dir, "rel -> ative\n'x"), '');
  const queries: FactQuery[] = [
    { kind: 'stat', path: join(dir, 'file') },
    // Hashed from the content a file query reads, or not at all: no sha256sum.
    ...links.map(([name], i): FactQuery => ({ kind: 'stat', path: join(dir, name), ...(i === 1 ? {} : { hash: false as const }) })),
    { kind: 'file', path: join(dir, 'file') },
    { kind: 'file', path: join(dir, links[1]![0]) },
  ];
  const facts = await gatherFacts(createLocalTransport(), queries);
  for (const [name, target] of links) {
    const st = facts.stat(join(dir, name));
    assert.deepEqual([st?.type, st?.target], ['link', target], name);
  }
  assert.equal(facts.stat(join(dir, 'plain'))?.followed?.type, 'file');
  assert.equal(facts.stat(join(dir, 'file'))?.type, 'file');
  const script = composeGatherScript(uniqueQueries(queries), { root: '', offline: false });
  // Their own stat with the link targets, stat -L (the paths and the blob's sizes), grep.
  assert.deepEqual(startedCommands(script, dir), ['stat', 'stat', 'grep']);
  // A path checked as a link that is none when its own stat runs changed while it was read.
  const out = outputText({ rc: 0, stdout: '', stderr: '', raw: spawnSync('/bin/sh', ['-c', script]).stdout });
  const plain = `${join(dir, 'plain')}\0${join(dir, 'plain')} -> ${join(dir, 'file')}\0`;
  assert.ok(out.includes(plain));
  assert.ok(parseGatherOutput(out).answers.size > 0);
  assert.throws(
    () => parseGatherOutput(out.replace(plain, `${join(dir, 'plain')}\0${join(dir, 'plain')}\0`)),
    /changed while they were read/,
  );
});

test('files and kernel values come back byte for byte from the one grep: NULs anywhere, no newline at the end, read twice', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-gather-read-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const random = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919 + (i >> 5)) % 256));
  const contents: Record<string, Buffer> = {
    'nul-end': Buffer.from('a\0b\0'),
    'nul-start': Buffer.from('\0\0x'),
    nuls: Buffer.from('\0\0\0'),
    nul: Buffer.from('\0'),
    'no-newline': Buffer.from('last line'),
    newlines: Buffer.from('\n\n'),
    empty: Buffer.alloc(0),
    random,
    // A file whose lines imitate grep's records and the gather's markers.
    imitating: Buffer.from(`${join(dir, 'nul')}\0\0@@PSD 0 ok\n@@PSD changed\n`),
  };
  for (const [name, bytes] of Object.entries(contents)) writeFileSync(join(dir, name), bytes);
  const queries: FactQuery[] = [
    ...Object.keys(contents).map((name): FactQuery => ({ kind: 'file', path: join(dir, name) })),
    // Each of them again through a glob, between the kernel values (read once, whoever asks).
    { kind: 'sysctl', key: 'kernel.ostype' },
    { kind: 'files', glob: `${dir}/*` },
    { kind: 'file', path: '/proc/sys/kernel/ostype' },
  ];
  const facts = await gatherFacts(createLocalTransport(), queries);
  const bytes = (s: string | null | undefined) => Buffer.from(s ?? '', 'utf8');
  for (const [name, want] of Object.entries(contents)) {
    // Contents are handed over as UTF-8 text: compare what the same bytes decode to.
    assert.deepEqual(bytes(facts.file(join(dir, name))), bytes(want.toString('utf8')), name);
    assert.deepEqual(bytes(facts.files(`${dir}/*`)[join(dir, name)]), bytes(want.toString('utf8')), `${name} (glob)`);
  }
  assert.equal(facts.sysctl('kernel.ostype'), 'Linux');
  assert.equal(facts.file('/proc/sys/kernel/ostype'), 'Linux\n');
  // A blob file whose bytes are not the size stat gave changed while it was read.
  const script = composeGatherScript(uniqueQueries(queries.slice(0, 1)), { root: '', offline: false });
  const out = outputText({ rc: 0, stdout: '', stderr: '', raw: spawnSync('/bin/sh', ['-c', script]).stdout });
  // Each NUL-ended line after its file's name and its offset in the file.
  const record = `${join(dir, 'nul-end')}\x000:a\0${join(dir, 'nul-end')}\x002:b\0`;
  assert.ok(out.includes(record));
  assert.ok(parseGatherOutput(out).answers.size > 0);
  const [cut, reread] = [record.slice(0, record.indexOf('a\0') + 2), record.replace('2:b', '0:b')];
  for (const other of [record.replace('b\0', 'bcd\0'), record.replace('b\0', '\0'), cut, reread])
    assert.throws(() => parseGatherOutput(out.replace(record, other)), /changed while they were read/);
});

test('kernel files: what is not a readable regular file gives nothing, and a file read again right after still reads once', async () => {
  assert.ok(existsSync('/proc/sys/vm/compact_memory'));
  // Between two reads of ostype: a file it cannot read (write-only) and a folder, which give no record.
  const globs = ['/proc/sys/kernel/ostyp?', '/proc/sys/vm/compact_memor?', '/proc/sys/ne?'];
  const facts = await gatherFacts(createLocalTransport(), [
    ...globs.map((glob): FactQuery => ({ kind: 'files', glob })),
    { kind: 'file', path: '/proc/sys/kernel/ostype' },
    { kind: 'sysctl', key: 'vm.compact_memory' },
  ]);
  assert.deepEqual(
    globs.map((g) => facts.files(g)),
    [{ '/proc/sys/kernel/ostype': 'Linux\n' }, {}, {}],
  );
  assert.equal(facts.file('/proc/sys/kernel/ostype'), 'Linux\n');
  assert.equal(facts.sysctl('vm.compact_memory'), null);
});

test('a kernel glob: wildcards in any part, its files read by the one grep, each once whoever else asks for it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-gather-kglob-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const queues = '/sys/class/net/*/queues/rx-*/rps_cpus';
  const queries: FactQuery[] = [
    // One glob's last file is the next one's first: read once all the same.
    { kind: 'files', glob: '/proc/sys/kernel/ostyp?' },
    { kind: 'files', glob: '/proc/sys/kernel/o[s]type' },
    { kind: 'files', glob: queues },
    // The same files again: by overlapping globs, by name, as a sysctl.
    { kind: 'files', glob: '/proc/sys/kernel/o*' },
    { kind: 'files', glob: '/proc/sys/kernel/os*' },
    { kind: 'file', path: '/proc/sys/kernel/ostype' },
    { kind: 'sysctl', key: 'kernel.osrelease' },
    { kind: 'files', glob: '/sys/class/net/psd-none-*/queues/rx-*/rps_cpus' },
  ];
  const facts = await gatherFacts(createLocalTransport(), queries);
  const want: Record<string, string> = {};
  for (const nic of readdirSync('/sys/class/net').filter((n) => !n.startsWith('.'))) {
    const at = `/sys/class/net/${nic}/queues`;
    for (const q of existsSync(at) ? readdirSync(at).filter((n) => n.startsWith('rx-')) : [])
      if (existsSync(`${at}/${q}/rps_cpus`)) want[`${at}/${q}/rps_cpus`] = readFileSync(`${at}/${q}/rps_cpus`, 'utf8');
  }
  assert.deepEqual(facts.files(queues), want);
  const kernel = (names: string[]) =>
    Object.fromEntries(names.map((n) => [`/proc/sys/kernel/${n}`, readFileSync(`/proc/sys/kernel/${n}`, 'utf8')]));
  const o = readdirSync('/proc/sys/kernel').filter((n) => n.startsWith('o'));
  assert.ok(o.includes('ostype') && o.includes('osrelease'));
  assert.deepEqual(facts.files('/proc/sys/kernel/o*'), kernel(o));
  assert.deepEqual(facts.files('/proc/sys/kernel/os*'), kernel(['osrelease', 'ostype']));
  assert.deepEqual(facts.files('/proc/sys/kernel/ostyp?'), { '/proc/sys/kernel/ostype': 'Linux\n' });
  assert.deepEqual(facts.files('/proc/sys/kernel/o[s]type'), { '/proc/sys/kernel/ostype': 'Linux\n' });
  assert.equal(facts.file('/proc/sys/kernel/ostype'), 'Linux\n');
  assert.equal(facts.sysctl('kernel.osrelease'), release());
  assert.deepEqual(facts.files('/sys/class/net/psd-none-*/queues/rx-*/rps_cpus'), {});
  // No process of their own: the globs expand in the gather's shell, their files join the grep.
  const script = (qs: FactQuery[]) => composeGatherScript(uniqueQueries(qs), { root: '', offline: false });
  assert.deepEqual(startedCommands(script(queries), dir), ['grep']);
});

test("a script run in the gather's shell answers as its own sh would: arguments, output, stderr, exit code", async () => {
  const script = 'printf "%s|" "$#" "$@"; echo err >&2; cd /; [ "$1" = "a b" ] || exit 5; exit 3';
  const syntax = 'if then fi';
  const queries = (inShell: boolean): FactQuery[] =>
    [
      ['sh', '-c', script, 'sh', 'a b', "c'd", ''],
      ['sh', '-c', script, 'sh', 'x'],
      ['sh', '-c', script],
      ['sh', '-c', syntax, 'sh'],
    ].map((argv) => ({ kind: 'cmd', argv, ...(inShell ? { inShell: true as const } : {}) }));
  const facts = async (inShell: boolean) => {
    const f = await gatherFacts(createLocalTransport(), queries(inShell));
    return queries(false).map((q) => (q.kind === 'cmd' ? f.cmd(q.argv) : undefined));
  };
  const [inside, apart] = [await facts(true), await facts(false)];
  assert.deepEqual(inside.slice(0, 3), apart.slice(0, 3));
  // stderr is kept by the gather's shell, without its trailing newlines.
  assert.deepEqual(inside[0], { rc: 3, stdout: "3|a b|c'd||", stderr: 'err' });
  // A syntax error stays in its query, with sh's exit code.
  assert.equal(inside[3]?.rc, apart[3]?.rc);
  assert.equal(inside[3]?.stdout, '');
  // Not a `sh -c` command: refused when the script is composed.
  assert.throws(
    () => composeGatherScript([{ kind: 'cmd', argv: ['ls', '/'], inShell: true }], { root: '', offline: false }),
    /not an sh -c/,
  );
});

test('a command quiet where its paths exist is answered without running it, in the bytes it would print', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-quiet-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const mark = join(dir, 'ran');
  const [a, b, gone] = [join(dir, 'a'), join(dir, "b c'd"), join(dir, 'gone')];
  writeFileSync(a, '');
  writeFileSync(b, '');
  // Prints nothing where every path exists, as it vouches; leaves a mark whenever it runs.
  const script = ': >> "$1"; shift; for p; do [ -e "$p" ] || echo "absent $p"; done';
  const run = async (paths: string[], vouched: boolean) => {
    const argv = ['sh', '-c', script, 'sh', mark, ...paths];
    const q: FactQuery = { kind: 'cmd', argv, inShell: true, ...(vouched ? { quietWhenExist: paths } : {}) };
    rmSync(mark, { force: true });
    const g = await gather(createLocalTransport(), [q]);
    return { answer: g.facts.cmd(argv), stdout: g.stdout, ran: existsSync(mark) };
  };
  const [skipped, ran] = [await run([a, b], true), await run([a, b], false)];
  assert.equal(skipped.ran, false);
  assert.equal(ran.ran, true);
  assert.deepEqual(skipped.answer, { rc: 0, stdout: '', stderr: '' });
  // The same output byte for byte: a guarded apply compares it with the script's own.
  assert.equal(skipped.stdout, ran.stdout);
  // One path missing: the command runs and answers itself.
  const missing = await run([a, gone], true);
  assert.equal(missing.ran, true);
  assert.deepEqual(missing.answer, { rc: 0, stdout: `absent ${gone}\n`, stderr: '' });
  assert.equal(missing.stdout, (await run([a, gone], false)).stdout);
});

test('where each read folder leads is what readlink -m says: links, missing parts, files, links that lead nowhere', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'psd-leads-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'real/sub'), { recursive: true });
  writeFileSync(join(root, 'real/file'), '');
  symlinkSync(join(root, 'real'), join(root, 'abs'));
  symlinkSync('real/sub', join(root, 'rel'));
  symlinkSync(join(root, 'abs'), join(root, 'chain'));
  symlinkSync(join(root, 'gone/deeper'), join(root, 'dangling'));
  symlinkSync('loop', join(root, 'loop'));
  mkdirSync(join(root, "we ird\n'dir"));
  const dirs = [
    'real',
    'abs',
    'abs/sub',
    'rel',
    'chain/sub/missing/more',
    'missing',
    'real/file/x',
    'dangling',
    'dangling/x',
    'loop/x',
    "we ird\n'dir",
  ].map((d) => join(root, d));
  const facts = await gatherFacts(
    createLocalTransport(),
    dirs.map((d) => ({ kind: 'stat', path: `${d}/f` })),
  );
  const want = spawnSync('readlink', ['-zm', '--', ...dirs], { encoding: 'utf8' })
    .stdout.split('\0')
    .slice(0, -1);
  assert.equal(want.length, dirs.length);
  assert.deepEqual(
    dirs.map((d) => facts.leads?.(d)),
    want,
  );
  // Paths with `.` or `..` parts go to readlink itself.
  const script = composeGatherScript([{ kind: 'stat', path: '/etc/../x/f' }], { root: '', offline: false });
  assert.match(script, /readlink -zm -- '\/etc\/\.\.\/x'/);
});

test("a script in the gather's shell reads a declared unit's main PID from the one systemctl show", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-unit-pid-'));
  const path = process.env.PATH;
  t.after(() => {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  });
  // systemctl show of two units: one block each, in the order asked; every call is logged.
  writeFileSync(
    join(dir, 'systemctl'),
    `#!/bin/sh\necho "$*" >> '${dir}/calls'\nprintf 'LoadState=loaded\\nMainPID=11\\n\\nMainPID=22\\nActiveState=active\\n'\n`,
    { mode: 0o755 },
  );
  process.env.PATH = `${dir}:${path}`;
  const pid = (unit: string): FactQuery => ({
    kind: 'cmd',
    argv: ['sh', '-c', 'psd_unit_pid "$1" && echo "$psd_pid"', 'sh', unit],
    inShell: true,
  });
  const facts = await gatherFacts(createLocalTransport(), [
    { kind: 'unit', name: 'a.service' },
    { kind: 'unit', name: 'b.service' },
    pid('b.service'),
    pid('a.service'),
    pid('undeclared.service'),
  ]);
  const out = (unit: string) => facts.cmd((pid(unit) as { argv: string[] }).argv);
  assert.deepEqual([out('a.service').stdout, out('b.service').stdout], ['11\n', '22\n']);
  assert.equal(out('undeclared.service').rc, 1);
  assert.equal(facts.unit('b.service').active, 'active');
  assert.equal(readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean).length, 1);
});

test('queries are deduplicated and a script cut short in transit runs nothing', async () => {
  const qs = uniqueQueries([
    { kind: 'file', path: '/a' },
    { kind: 'file', path: '/a' },
    { kind: 'stat', path: '/a' },
  ]);
  assert.equal(qs.length, 2);
  const script = composeGatherScript(qs, { root: '', offline: false });
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
  const script = composeGatherScript([{ kind: 'files', glob: `${root}/etc/sysctl.d/*.conf` }], { root: '', offline: true });
  const commands = (n: string) => n.split('\n').filter((l) => /^\++ (stat|cat|grep|base64|tr) /.test(l)).length;
  const traced = spawnSync('sh', ['-xc', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(traced.status, 0, traced.stderr.slice(-2000));
  assert.ok(commands(traced.stderr) <= 8, `${commands(traced.stderr)} commands for 301 files`);
});

test("content that looks like the gather's own lines is read as content, byte for byte", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-gather-marks-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fake = [
    '@@PSD 0 absent',
    '@@PSD 1 ok 7',
    '@@PSD blob',
    '@@PSD stat',
    '@@PSD 0123456789abcdef01234567 blob',
    '@@PSD 0123456789abcdef01234567 read',
    '@@PSD 0123456789abcdef01234567 own',
    '\n@@PSD 0123456789abcdef01234567\n',
    '@@PSD units 3',
    '@@PSD volatile 2 x',
    '@@PSD host hostname evil',
  ].join('\n');
  const contents: Record<string, Buffer> = {
    marks: Buffer.from(`${fake}\n`),
    unterminated: Buffer.from(`${fake}\n@@PSD 0 ok`),
    binary: Buffer.from([0x40, 0x40, 0x50, 0x53, 0x44, 0x20, 0x0a, 0xff, 0xfe, 0x00, 0x0a, 0x0a]),
    empty: Buffer.alloc(0),
    // grep's records (name, NUL, line, NUL) naming the next file.
    records: Buffer.from(`${join(dir, 'unterminated')}\0@@PSD 0 ok\0${join(dir, 'unterminated')}\0`),
  };
  for (const [name, bytes] of Object.entries(contents)) writeFileSync(join(dir, name), bytes);
  const names = Object.keys(contents);
  const printer = ['sh', '-c', 'cat "$1"; printf "%s" "$2" >&2', 'sh', join(dir, 'marks'), fake];
  const queries: FactQuery[] = [
    ...names.map((n) => ({ kind: 'file' as const, path: join(dir, n) })),
    { kind: 'files', glob: join(dir, '*') },
    { kind: 'cmd', argv: printer },
    { kind: 'cmd', argv: printer, inShell: true },
    { kind: 'file', path: join(dir, 'none') },
  ];
  const facts = await gatherFacts(createLocalTransport(), queries);
  for (const n of names) assert.equal(facts.file(join(dir, n)), contents[n]!.toString('utf8'), n);
  assert.deepEqual(facts.files(join(dir, '*')), Object.fromEntries(names.sort().map((n) => [join(dir, n), contents[n]!.toString('utf8')])));
  const cmd = facts.cmd(printer);
  assert.deepEqual(cmd, { rc: 0, stdout: `${fake}\n`, stderr: fake.replace(/\n+$/, '') });
  assert.equal(facts.file(join(dir, 'none')), null);
  assert.throws(() => facts.host, /not declared/);
});

test('a gather cut short inside a segment is refused, not read as a shorter content', async () => {
  // $$ in a script run by the gather's shell is that shell: killed while the command's output streams.
  const script = composeGatherScript([{ kind: 'cmd', argv: ['sh', '-c', 'echo start; kill -9 $$'], inShell: true }], {
    root: '',
    offline: false,
  });
  const res = await createLocalTransport().exec(script);
  assert.throws(() => parseGatherOutput(outputText(res)), /cut-short answer/);
});

test('a stat without hash starts no sha256sum; a query of the same path that hashes wins', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-gather-nohash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bin'), 'binary\n');
  symlinkSync(join(dir, 'bin'), join(dir, 'link'));
  const where: FactQuery[] = [
    { kind: 'stat', path: join(dir, 'bin'), hash: false },
    { kind: 'stat', path: join(dir, 'link'), hash: false },
  ];
  const facts = await gatherFacts(createLocalTransport(), where);
  assert.deepEqual([facts.stat(join(dir, 'bin'))?.type, facts.stat(join(dir, 'bin'))?.sha256], ['file', undefined]);
  const link = facts.stat(join(dir, 'link'));
  assert.deepEqual([link?.type, link?.target, link?.followed?.type, link?.followed?.sha256], ['link', join(dir, 'bin'), 'file', undefined]);
  assert.ok(!composeGatherScript(uniqueQueries(where), { root: '', offline: false }).includes('sums '));
  const both = uniqueQueries([...where, { kind: 'stat', path: join(dir, 'bin') }]);
  assert.equal(both.length, 2);
  const hashed = await gatherFacts(createLocalTransport(), both);
  assert.equal(hashed.stat(join(dir, 'bin'))?.sha256, createHash('sha256').update('binary\n').digest('hex'));
});

test('a file removed between its check and its read fails the gather with "run again", never a shorter content', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-gather-gone-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const [gone, kept] = [join(dir, 'gone'), join(dir, 'kept')];
  writeFileSync(gone, 'first\n');
  writeFileSync(kept, 'second\n');
  // The command runs after the file queries were checked and before the blob is read.
  const queries: FactQuery[] = [
    { kind: 'file', path: gone },
    { kind: 'file', path: kept },
    { kind: 'stat', path: kept },
    { kind: 'cmd', argv: ['rm', gone] },
  ];
  await assert.rejects(gatherFacts(createLocalTransport(), queries), /files changed while they were read; run again/);
});

test("a folder's entries come newest first as ls -1t lists them, by the gather's own shell", async (t) => {
  const root = tempRoot();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'opt/releases');
  mkdirSync(dir, { recursive: true });
  // Times a nanosecond apart, equal ones (listed by name), a hidden name, odd names, a file.
  const at = (name: string, sec: number, ns: number) => {
    mkdirSync(join(dir, name));
    spawnSync('touch', ['-h', '-d', `@${sec}.${String(ns).padStart(9, '0')}`, join(dir, name)]);
  };
  at('0a1b2c', 1_700_000_000, 5);
  at('ffff00', 1_700_000_000, 6);
  at('b same', 1_700_000_100, 0);
  at('a same', 1_700_000_100, 0);
  at('.hidden', 1_800_000_000, 0);
  at('-dash', 1_600_000_000, 0);
  writeFileSync(join(dir, 'note.txt'), 'x');
  spawnSync('touch', ['-d', '@1650000000', join(dir, 'note.txt')]);
  const ls = spawnSync('ls', ['-1t', '--', dir], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } })
    .stdout.split('\n')
    .filter(Boolean);
  assert.deepEqual(ls, ['a same', 'b same', 'ffff00', '0a1b2c', 'note.txt', '-dash']);
  const queries: FactQuery[] = [
    { kind: 'entries', path: dir },
    { kind: 'entries', path: join(root, 'none') },
    { kind: 'entries', path: join(dir, 'note.txt') },
  ];
  const live = await gatherFacts(createLocalTransport(), queries);
  assert.deepEqual(live.entries(dir), ls);
  assert.equal(live.entries(join(root, 'none')), null);
  assert.equal(live.entries(join(dir, 'note.txt')), null);
  // Under a chroot root, the folder inside it.
  const tr = createChrootTransport('leaf01', root);
  await tr.connect();
  const inRoot = await gatherFacts(tr, [{ kind: 'entries', path: '/opt/releases' }]);
  assert.deepEqual(inRoot.entries('/opt/releases'), ls);
  // No process of its own.
  assert.equal(countCommands(composeGatherScript(queries, { root: '', offline: false }), root), 0);
});
