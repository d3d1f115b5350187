// Property: the live writes of the tuning modules (a value into a kernel file) and their sysfs
// globs reach the shell quoted by the engine's one helper. Random hostile values and paths arrive
// literally in the file and never run; a value `echo` would read as an option (`-n`, `-e`) or
// escapes (`\t`) arrives as written; a glob outside the strict kernel-path alphabet is refused,
// and the globs it allows still expand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveWriteOp } from '../../../modules/_tuning/live-write.js';
import { sysfsValuesQuery } from '../../../modules/_tuning/sysfs-values.js';
import { UnquotableError } from '../../../src/script/shell.js';
import { hostile, hostilePieces, rng } from '../../helpers/hostile-strings.js';

function scratch(t: { after(fn: () => void): void }): { base: string; marker: string } {
  const base = mkdtempSync(join(tmpdir(), 'psd-tuning-quoting-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  return { base, marker: join(base, 'RAN') };
}

/** Runs an exec op's or a cmd query's argv as the target would (no shell of our own). */
function run(argv: string[]) {
  return spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
}

test('live writes: hostile values and paths arrive literally and never run', (t) => {
  const { base, marker } = scratch(t);
  const r = rng(1313);
  const pieces = hostilePieces(marker);
  const values = ['-n', '-e', '-E', '-n -e \\t', '--', '-', '\\c', '\\n', '%s %d', ...Array.from({ length: 60 }, () => hostile(r, pieces))];
  const writes = values.map((value, i) => ({ path: join(base, `${i}-${hostile(r, pieces).replace(/\//g, '_')}`.slice(0, 60)), value }));
  const op = liveWriteOp(writes);
  assert.equal(op.kind, 'exec');
  if (op.kind !== 'exec') return;
  const res = run(op.argv);
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stderr, '');
  for (const w of writes) assert.equal(readFileSync(w.path, 'utf8'), `${w.value}\n`, JSON.stringify(w.value));
  assert.equal(existsSync(marker), false, 'no injected command ran');
});

test('live writes: a NUL in a value or path is refused before any script is built', () => {
  assert.throws(() => liveWriteOp([{ path: '/proc/sys/vm/swappiness', value: '1\0' }]), UnquotableError);
  assert.throws(() => liveWriteOp([{ path: '/sys/a\0b', value: '1' }]), UnquotableError);
});

test('sysfs globs: anything outside the kernel-path alphabet is refused; the rest expands and never runs', (t) => {
  const { base, marker } = scratch(t);
  const r = rng(1314);
  const pieces = [...hostilePieces(marker), '\0', '/..', '/.'];
  for (let i = 0; i < 200; i++) {
    const h = hostile(r, pieces);
    const glob = `/sys/class/net/${h}/queues/rx-*/rps_cpus`;
    let argv: string[];
    try {
      argv = sysfsValuesQuery([glob]).argv;
    } catch (err) {
      assert.match((err as Error).message, /not a kernel path glob/, JSON.stringify(h));
      continue;
    }
    // Allowed: only the kernel-path alphabet, wildcards included.
    assert.match(h, /^[A-Za-z0-9_.:@*?[\]!/-]*$/, JSON.stringify(h));
    assert.doesNotMatch(glob, /\/\.\.?(\/|$)/);
    run(argv);
  }
  assert.equal(existsSync(marker), false, 'no injected command ran');
  for (const bad of [
    'relative/*',
    '/sys/../etc/shadow',
    '/sys/./x',
    '/sys/a b',
    '/sys/$(id)',
    '/sys/`id`',
    "/sys/'x'",
    '/sys/a;b',
    '/sys/x\n/etc/shadow',
  ])
    assert.throws(() => sysfsValuesQuery([bad]), /not a kernel path glob/, JSON.stringify(bad));

  // What a glob allows still expands, each character of its names read literally.
  const net = join(base, 'net');
  for (const name of ['eth0', 'eth1', 'eth2', 'a:b@c.d-e_f', '-n', 'x*']) {
    mkdirSync(join(net, name, 'queues/rx-0'), { recursive: true });
    writeFileSync(join(net, name, 'queues/rx-0/rps_cpus'), `${name} mask\n`);
  }
  const read = (pattern: string) =>
    run(sysfsValuesQuery([`${net}/${pattern}/queues/rx-*/rps_cpus`]).argv)
      .stdout.split('\n')
      .filter(Boolean)
      .map((l) => l.slice(net.length + 1, l.indexOf('/', net.length + 1)))
      .sort();
  assert.deepEqual(read('eth[01]'), ['eth0', 'eth1']);
  assert.deepEqual(read('eth[!0]'), ['eth1', 'eth2']);
  assert.deepEqual(read('eth?'), ['eth0', 'eth1', 'eth2']);
  assert.deepEqual(read('a:b@c.d-e_f'), ['a:b@c.d-e_f']);
  assert.deepEqual(read('-n'), ['-n'], 'a name like an option is a path, not an option');
});
