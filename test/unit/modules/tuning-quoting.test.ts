// Property: the live writes of the tuning modules (a value into a kernel file) and their sysfs
// globs reach the shell quoted by the engine's one helper. Random hostile values and paths arrive
// literally in the file and never run; a value `echo` would read as an option (`-n`, `-e`) or
// escapes (`\t`) arrives as written; a glob outside the strict kernel-path alphabet is refused,
// and the globs it allows still expand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveWriteOp } from '../../../modules/_tuning/live-write.js';
import { sysfsValuesQueries } from '../../../modules/_tuning/sysfs-values.js';
import { composeGatherScript } from '../../../src/facts/gather-script.js';
import type { FactQuery } from '../../../src/facts/types.js';
import { gatheredSysfs, greppedSysfs } from '../../helpers/sysfs-gather.js';
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

test('sysfs globs: anything outside the kernel-path alphabet is refused; the rest expands in the gather and never runs', (t) => {
  const { marker } = scratch(t);
  const r = rng(1314);
  const pieces = [...hostilePieces(marker), '\0', '/..', '/.'];
  for (let i = 0; i < 200; i++) {
    const h = hostile(r, pieces);
    const glob = `/sys/class/net/${h}/queues/rx-*/rps_cpus`;
    let queries: FactQuery[];
    try {
      queries = sysfsValuesQueries([glob]);
    } catch (err) {
      assert.match((err as Error).message, /not a kernel path glob/, JSON.stringify(h));
      continue;
    }
    // Allowed: only the kernel-path alphabet, wildcards included.
    assert.match(h, /^[A-Za-z0-9_.:@*?[\]!/-]*$/, JSON.stringify(h));
    assert.doesNotMatch(glob, /\/\.\.?(\/|$)/);
    const res = spawnSync('sh', ['-c', composeGatherScript(queries, { root: '', offline: false })], { encoding: 'latin1' });
    assert.equal(res.status, 0, res.stderr);
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
    assert.throws(() => sysfsValuesQueries([bad]), /not a kernel path glob/, JSON.stringify(bad));

  // What a glob allows expands as the shell expands it for grep: this machine's NICs and queues.
  for (const pattern of ['*', '[a-z]*', '[!l]*', '?*', 'lo', 'e*[0-9]', '-n', 'x*'])
    for (const file of ['rps_cpus', 'rps_flow_cnt']) {
      const globs = [`/sys/class/net/${pattern}/queues/rx-*/${file}`];
      assert.deepEqual(gatheredSysfs(globs), greppedSysfs(globs), pattern);
    }
});
