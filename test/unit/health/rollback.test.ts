// The snapshot and restore scripts, run by a real sh on a temp folder standing in for a host root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  statSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseSnapshot,
  replacedPaths,
  restoreScript,
  rollBack,
  takeSnapshot,
  setFolders,
  snapshotScript,
  SNAPSHOT_ROOT,
  type Snapshot,
} from '../../../src/exec/rollback.js';
import type { HostPlan } from '../../../src/plan/types.js';
import { fakeFacts } from '../../helpers/fake-facts.js';
import { APPLY_LOCK } from '../../../src/exec/host-lock.js';
import { createChrootTransport } from '../../../src/transport/chroot.js';

function sh(script: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const plan = (): HostPlan => ({
  host: 'sw1',
  after: fakeFacts(),
  tasks: [
    {
      task: { name: 'deploy', module: 'daemon', args: {}, tags: [], notify: [], listen: [], pos: { file: 'x', line: 1, col: 1 } },
      index: 0,
      status: 'changed',
      warnings: [],
      changes: [
        { summary: 'config', ops: [{ kind: 'put', path: '/etc/app.yaml', content: 'new\n' }], notify: ['restart'] },
        { summary: 'switch', ops: [{ kind: 'symlink', path: '/opt/app/current', target: 'releases/b' }] },
        {
          summary: 'dropin',
          ops: [
            { kind: 'put', path: '/etc/app.d/tuning.conf', content: 'x' },
            { kind: 'exec', argv: ['true'] },
          ],
        },
        { summary: 'again', ops: [{ kind: 'put', path: '/etc/app.yaml', content: 'newer\n' }] },
      ],
    },
  ],
  handlers: [
    {
      name: 'restart',
      source: 'module',
      keys: ['restart'],
      changes: [{ summary: 'systemctl restart app', ops: [{ kind: 'exec', argv: ['systemctl', 'restart', 'app'] }] }],
    },
  ],
});

test('replaced paths: every file op of the plan, once, in plan order', () => {
  assert.deepEqual(replacedPaths(plan()), ['/etc/app.yaml', '/opt/app/current', '/etc/app.d/tuning.conf']);
});

test('snapshot then restore brings back files and links, and removes what did not exist', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'psd-rollback-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'opt/app'), { recursive: true });
  writeFileSync(join(root, 'etc/app.yaml'), 'old\n', { mode: 0o640 });
  symlinkSync('releases/a', join(root, 'opt/app/current'));
  mkdirSync(join(root, SNAPSHOT_ROOT, 'an-older-run'), { recursive: true });

  const paths = replacedPaths(plan());
  const dir = `${SNAPSHOT_ROOT}/run1`;
  const snap = sh(snapshotScript(root, dir, paths));
  assert.equal(snap.code, 0, snap.stderr);
  const entries = parseSnapshot(snap.stdout, paths);
  assert.deepEqual(entries, [
    { path: '/etc/app.yaml', existed: true },
    { path: '/opt/app/current', existed: true },
    { path: '/etc/app.d/tuning.conf', existed: false, missingDirs: 1 },
  ]);
  assert.equal(existsSync(join(root, SNAPSHOT_ROOT, 'an-older-run')), false, 'only the latest snapshot is kept');

  // The batch's changes land…
  writeFileSync(join(root, 'etc/app.yaml'), 'new\n');
  rmSync(join(root, 'opt/app/current'));
  symlinkSync('releases/b', join(root, 'opt/app/current'));
  mkdirSync(join(root, 'etc/app.d'));
  writeFileSync(join(root, 'etc/app.d/tuning.conf'), 'x');

  // …and are rolled back (the script runs inside the root: here, with rooted paths).
  const s: Snapshot = { dir, entries, handlers: [] };
  const restored = sh(restoreScript(root, s));
  assert.equal(restored.code, 0, restored.stderr);
  assert.equal(readFileSync(join(root, 'etc/app.yaml'), 'utf8'), 'old\n');
  assert.equal(lstatSync(join(root, 'etc/app.yaml')).mode & 0o777, 0o640);
  assert.equal(readlinkSync(join(root, 'opt/app/current')), 'releases/a');
  assert.equal(existsSync(join(root, 'etc/app.d')), false, 'the folder made for a new file goes with it');
});

test('folders a plan sets are noted, not copied: rollback removes the ones it made and puts back the mode of the others', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'psd-rollback-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'var/lib/app'), { recursive: true, mode: 0o700 });
  writeFileSync(join(root, 'var/lib/app/data'), 'large state, never copied');
  const p = plan();
  p.tasks[0]!.changes.push(
    { summary: 'state', ops: [{ kind: 'dir', path: '/var/lib/app', mode: '0755' }] },
    { summary: 'logs', ops: [{ kind: 'dir', path: '/srv/app/logs' }] },
  );
  const paths = replacedPaths(p);
  const folders = setFolders(p);
  assert.deepEqual(folders, ['/var/lib/app', '/srv/app/logs']);
  const dir = `${SNAPSHOT_ROOT}/run1`;
  const snap = sh(snapshotScript(root, dir, paths, folders));
  assert.equal(snap.code, 0, snap.stderr);
  const entries = parseSnapshot(snap.stdout, paths, folders);
  assert.deepEqual(entries.slice(3), [
    { path: '/var/lib/app', existed: true, folder: { attrs: '700 0:0' } },
    { path: '/srv/app/logs', existed: false, missingDirs: 3, folder: {} },
  ]);
  assert.equal(existsSync(join(root, dir, '3')), false, 'a folder is not copied');

  chmodSync(join(root, 'var/lib/app'), 0o755);
  mkdirSync(join(root, 'srv/app/logs'), { recursive: true });
  const restored = sh(restoreScript(root, { dir, entries, handlers: [] }));
  assert.equal(restored.code, 0, restored.stderr);
  assert.equal(statSync(join(root, 'var/lib/app')).mode & 0o777, 0o700);
  assert.equal(readFileSync(join(root, 'var/lib/app/data'), 'utf8'), 'large state, never copied');
  assert.equal(existsSync(join(root, 'srv')), false);
});

test('a snapshot that does not report every path is an error, not a silent partial rollback', () => {
  assert.throws(() => parseSnapshot('@@PSD 0 existed\n', ['/a', '/b']), /snapshot did not report \/b/);
});

test("the snapshot and the rollback take the host's apply lock, as an apply does: they wait for its holder, and else fail with nothing done", async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'psd-rollback-lock-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'var/lib/portsync-deploy'), { recursive: true });
  writeFileSync(join(root, 'etc/app.yaml'), 'before\n');
  const lock = join(root, APPLY_LOCK);
  const transport = createChrootTransport('sw1', root);
  /** A process holding the lock (the shell becomes the sleep), killed by its PID. */
  const hold = async (script = 'exec sleep 60') => {
    const holder = spawn('sh', ['-c', `exec 9>>"$0" && flock 9 && ${script}`, lock], { stdio: 'ignore' });
    t.after(() => holder.kill('SIGKILL'));
    while (spawnSync('flock', ['-n', lock, 'true']).status !== 1) await new Promise((r) => setTimeout(r, 20));
    return holder;
  };
  const files = { ...plan(), handlers: [] };
  const busy = /another apply on this host still holds \/var\/lib\/portsync-deploy\/apply\.lock after 1 s/;

  // An apply still running (the holder writes the new file as its last step before it lets go):
  // the snapshot waits for it, so it keeps what that apply left.
  await hold(`sleep 1; echo applied > ${join(root, 'etc/app.yaml')}`);
  const snap = await takeSnapshot(transport, files, 'run1', 30);
  assert.equal(readFileSync(join(root, SNAPSHOT_ROOT, 'run1/0'), 'utf8'), 'applied\n', 'the snapshot ran after the holder let go');

  // Held for longer than apply_lock_wait: neither runs, and nothing is kept or restored.
  const holder = await hold();
  await assert.rejects(takeSnapshot(transport, files, 'run2', 1), busy);
  assert.equal(existsSync(join(root, SNAPSHOT_ROOT, 'run2')), false, 'nothing kept');
  writeFileSync(join(root, 'etc/app.yaml'), 'changed by the batch\n');
  await assert.rejects(rollBack(transport, snap, 1), busy);
  assert.equal(readFileSync(join(root, 'etc/app.yaml'), 'utf8'), 'changed by the batch\n', 'nothing restored');

  holder.kill('SIGKILL');
  while (spawnSync('flock', ['-n', lock, 'true']).status !== 0) await new Promise((r) => setTimeout(r, 20));
  const rolled = await rollBack(transport, snap, 1);
  assert.deepEqual([rolled.ok, rolled.error], [true, undefined]);
  assert.equal(readFileSync(join(root, 'etc/app.yaml'), 'utf8'), 'applied\n', 'restored once the lock is free');
});
