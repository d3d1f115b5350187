// Host facts: the parser, and the section run for real (dash, busybox) on this machine
// (read-only) and on a fake root tree laid out like a lab switch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir, hostname, release, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { parseHostFacts } from '../../../src/facts/host-facts.js';
import { composeGatherScript, parseGatherOutput } from '../../../src/facts/gather-script.js';

test('parses the section: CPU and NUMA lists, systemd present', () => {
  const f = parseHostFacts(
    new Map([
      ['hostname', 'sw-leaf-01'],
      ['kernel', '6.1.0-29-2-amd64'],
      ['machine', 'aarch64'],
      ['cpus', '0-3,6'],
      ['numa', '0-1'],
      ['systemd', ''],
    ]),
  );
  assert.deepEqual(f, {
    hostname: 'sw-leaf-01',
    kernel: '6.1.0-29-2-amd64',
    machine: 'aarch64',
    cpusOnline: [0, 1, 2, 3, 6],
    numaNodes: [0, 1],
    systemd: true,
  });
});

test('an offline root with almost nothing readable gets safe defaults', () => {
  const f = parseHostFacts(new Map([['hostname', 'image']]));
  assert.deepEqual(f, { hostname: 'image', kernel: '', machine: '', cpusOnline: [], numaNodes: [0], systemd: false });
  assert.deepEqual(parseHostFacts(new Map()).numaNodes, [0]);
});

/** The host section as the gather sends it, run by `shell`; what the parser makes of it. */
function runSection(shell: string[], env: Record<string, string>, root = '') {
  const script = composeGatherScript([{ kind: 'host' }], { root, offline: root !== '' });
  const out = execFileSync(shell[0], [...shell.slice(1), '-c', script], { env, encoding: 'utf8' });
  return { out, facts: parseHostFacts(parseGatherOutput(out).host ?? new Map()) };
}

test('the section runs under dash on this machine, describes it, and starts no process', () => {
  const { facts: f } = runSection(['dash'], { PATH: process.env.PATH ?? '' });
  assert.equal(f.hostname, hostname());
  assert.equal(f.kernel, release());
  assert.equal(f.machine, execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
  assert.equal(f.cpusOnline.length, availableParallelism());
  assert.ok(f.numaNodes.includes(0));
  assert.equal(f.systemd, existsSync('/run/systemd/system'));
  // Shell builtins only: with an empty PATH no command could be found, and the answer is the same
  // (uname -m read from kernel.arch; a kernel before 6.1 has none, and uname is started for it).
  const bare = runSection(['/bin/dash'], { PATH: '' }).facts;
  assert.deepEqual(bare, existsSync('/proc/sys/kernel/arch') ? f : { ...f, machine: '' });
});

test(
  'the machine is kernel.arch under the plain personality and what uname -m says under linux32',
  { skip: !existsSync('/usr/bin/setarch') && 'setarch not installed' },
  () => {
    const env = { PATH: process.env.PATH ?? '' };
    const script = composeGatherScript([{ kind: 'host' }], { root: '', offline: false });
    const machine = (argv: string[]) =>
      parseHostFacts(
        parseGatherOutput(execFileSync(argv[0]!, [...argv.slice(1), '-c', script], { env, encoding: 'utf8' })).host ?? new Map(),
      ).machine;
    for (const persona of ['linux64', 'linux32']) {
      const uname = execFileSync('setarch', [persona, 'uname', '-m'], { encoding: 'utf8' }).trim();
      assert.equal(machine(['setarch', persona, 'dash']), uname, persona);
    }
    assert.notEqual(machine(['setarch', 'linux32', 'dash']), machine(['dash']), 'linux32 names another machine');
  },
);

test(
  'the section gives the same facts under busybox applets only',
  { skip: !existsSync('/usr/bin/busybox') && 'busybox not installed' },
  () => {
    const bin = mkdtempSync(join(tmpdir(), 'hostfacts-busybox-'));
    try {
      execFileSync('/usr/bin/busybox', ['--install', '-s', bin]);
      const viaBusybox = runSection([join(bin, 'sh')], { PATH: bin }).facts;
      const viaDash = runSection(['dash'], { PATH: process.env.PATH ?? '' }).facts;
      assert.deepEqual(viaBusybox, viaDash);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  },
);

test('on an offline root the section reads the tree and skips the running kernel', () => {
  const root = mkdtempSync(join(tmpdir(), 'hostfacts-root-'));
  const put = (rel: string, content: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  };
  try {
    put('etc/hostname', 'sw7'); // no trailing newline: must not glue onto the next value
    put('sys/devices/system/cpu/online', '0-3\n');
    put('sys/devices/system/node/online', '0-1');
    put('proc/sys/kernel/osrelease', '9.9.9\n');
    put('proc/sys/kernel/arch', 'riscv64\n');
    mkdirSync(join(root, 'run/systemd/system'), { recursive: true });
    const { facts: f } = runSection(['dash'], { PATH: process.env.PATH ?? '' }, root);
    assert.deepEqual(f, { hostname: 'sw7', kernel: '', machine: '', cpusOnline: [0, 1, 2, 3], numaNodes: [0, 1], systemd: true });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
