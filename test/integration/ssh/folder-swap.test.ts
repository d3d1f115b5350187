// Symlinks on a live host over a real sshd. A folder swapped for a symlink between the read of the
// host and the apply: the gather records where each read path's folder leads, the ops carry it,
// and neither the guarded exec nor the apply script alone writes through the folder that now
// leads elsewhere. A dest that is a symlink becomes a regular file with a sane mode, never 0777.
// A health gate's rollback: the snapshot records where each path's folder leads, and the restore
// writes nothing through a folder swapped for a symlink since. The server has a state folder of
// its own (snapshots go there), never this machine's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { applyHost } from '../../../src/exec/apply-host.js';
import { rollBack, takeSnapshot } from '../../../src/exec/rollback.js';
import { outputDigest } from '../../../src/exec/guarded-script.js';
import { gather, gatherScript } from '../../../src/facts/gather.js';
import type { FactQuery } from '../../../src/facts/types.js';
import type { Op } from '../../../src/module.js';
import { withFolderLeads } from '../../../src/plan/folder-leads.js';
import type { HostPlan } from '../../../src/plan/types.js';
import type { Task } from '../../../src/playbook/types.js';
import { createSshTransport } from '../../../src/transport/ssh.js';
import type { Transport } from '../../../src/transport/types.js';
import { knownHostsLine, makeTempDir, startSshd, type Sshd } from './sshd.js';

/** One task per op, each ignoring its failure, so every kind of op meets the swapped folder. */
function planOf(ops: Op[]): HostPlan {
  const tasks = ops.map((op, index) => ({
    task: { name: `t${index}` } as Task,
    index,
    status: 'changed' as const,
    changes: [{ summary: `${op.kind} ${index}`, ops: [op] }],
    warnings: [],
    ignoreErrors: true,
  }));
  return { host: 'sw1', tasks, handlers: [], after: undefined as never };
}

describe('a folder swapped between the read and the apply, over SSH', () => {
  let sshd: Sshd;
  let work: string;
  let transport: Transport;

  before(async () => {
    sshd = await startSshd([], { privateState: true });
    work = makeTempDir('psd-swap-');
    const kh = path.join(work, 'known_hosts');
    fs.writeFileSync(kh, knownHostsLine(sshd) + '\n');
    transport = createSshTransport('sw1', {
      ansible_host: '127.0.0.1',
      ansible_port: sshd.port,
      ansible_user: 'root',
      private_key_file: sshd.clientKey,
      known_hosts_file: kh,
    });
    await transport.connect();
  });

  after(async () => {
    await transport.close();
    await sshd.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  test('a symlinked dest is replaced by a 0644 regular file by default; the file it led to is untouched', async () => {
    const run = path.join(work, 'run');
    fs.mkdirSync(run);
    fs.writeFileSync(path.join(run, 'resolv.conf'), 'old\n', { mode: 0o600 });
    const rel = path.join(work, 'resolv.conf');
    const abs = path.join(work, 'abs.conf');
    fs.symlinkSync('run/resolv.conf', rel);
    fs.symlinkSync(path.join(run, 'resolv.conf'), abs);
    const outcome = await applyHost(
      transport,
      planOf([
        { kind: 'put', path: rel, content: 'nameserver 192.0.2.53\n' },
        { kind: 'put', path: abs, content: 'x\n' },
      ]),
      true,
    );
    assert.deepEqual(
      outcome.results.map((r) => [r.status, r.msg]),
      [
        ['changed', undefined],
        ['changed', undefined],
      ],
    );
    for (const f of [rel, abs]) {
      assert.ok(fs.lstatSync(f).isFile(), `${f} is a regular file now`);
      assert.equal((fs.statSync(f).mode & 0o7777).toString(8), '644');
    }
    assert.equal(fs.readFileSync(path.join(run, 'resolv.conf'), 'utf8'), 'old\n');
  });

  test('is not written through: the guarded exec sees the host moved, the script refuses each op', async () => {
    const app = path.join(work, 'etc/app');
    const outside = path.join(work, 'outside');
    fs.mkdirSync(app, { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(app, 'a.conf'), 'old\n');
    fs.writeFileSync(path.join(app, 'gone.conf'), 'old\n');
    // The same names and bytes outside: the dest files' own stats cannot tell the folders apart.
    fs.writeFileSync(path.join(outside, 'a.conf'), 'old\n');
    fs.writeFileSync(path.join(outside, 'gone.conf'), 'old\n');
    fs.chmodSync(path.join(outside, 'a.conf'), fs.statSync(path.join(app, 'a.conf')).mode);
    fs.chmodSync(path.join(outside, 'gone.conf'), fs.statSync(path.join(app, 'gone.conf')).mode);
    const control = path.join(work, 'etc/control.conf');
    const artifact = path.join(work, 'artifact.bin');
    fs.writeFileSync(artifact, 'release\n');
    const sha256 = createHash('sha256').update('release\n').digest('hex');
    const at = (name: string) => path.join(app, name);

    // The read (as modules declare it: a stat of each path they write) and the plan made on it.
    const paths = ['a.conf', 'gone.conf', 'link.conf', 'made', 'artifact.bin'].map(at);
    const queries: FactQuery[] = [...paths, control].map((p) => ({ kind: 'stat', path: p }));
    const read = await gather(transport, queries);
    assert.equal(read.facts.leads?.(app), fs.realpathSync(app), 'where the folder led is recorded');
    const ops = (
      [
        { kind: 'put', path: at('a.conf'), content: 'new\n' },
        { kind: 'remove', path: at('gone.conf') },
        { kind: 'symlink', path: at('link.conf'), target: 'a.conf' },
        { kind: 'dir', path: at('made') },
        { kind: 'upload', path: at('artifact.bin'), localPath: artifact, sha256 },
        { kind: 'put', path: control, content: 'written\n' },
      ] satisfies Op[]
    ).map((op) => withFolderLeads(op, read.facts));
    assert.ok(
      ops.every((op) => op.kind !== 'exec' && op.dirLeads !== undefined),
      'every op carries where its folder led',
    );

    fs.rmSync(app, { recursive: true });
    fs.symlinkSync(outside, app);
    const outsideBefore = fs.readdirSync(outside).sort();

    // The guarded exec compares the host with the read: the swap alone is a moved host.
    const guard = { gather: gatherScript(transport, queries), expected: outputDigest(read.stdout) };
    const inScript = ops.filter((op) => op.kind !== 'upload');
    const guarded = await applyHost(transport, planOf(inScript), true, [], guard);
    assert.equal(guarded.drift, true, 'the guarded exec saw the folder move and applied nothing');
    assert.equal(fs.existsSync(control), false);

    // The apply script on its own (the swap lands after the guard's read): each op refuses.
    const outcome = await applyHost(transport, planOf(inScript), true);
    const msgs = outcome.results.map((r) => r.msg ?? '');
    for (const [i, name] of ['a.conf', 'gone.conf', 'link.conf', 'made'].entries())
      assert.match(
        msgs[i]!,
        new RegExp(`${at(name)}: its folder now leads to ${outside}, not to ${fs.realpathSync(work)}/etc/app as when the host was read`),
      );
    assert.equal(fs.readFileSync(control, 'utf8'), 'written\n', 'a path whose folder stayed is written');

    // An upload is staged before the script: its staging refuses too.
    const upload = await applyHost(transport, planOf([ops[4]!]), true);
    assert.match(upload.results[0]!.msg ?? '', /artifact\.bin: its folder now leads to/);

    assert.deepEqual(fs.readdirSync(outside).sort(), outsideBefore, 'nothing made or removed through the swapped folder');
    assert.equal(fs.readFileSync(path.join(outside, 'a.conf'), 'utf8'), 'old\n');
  });

  test("a rollback's restore is not written through a folder swapped since the snapshot; the others are restored", async () => {
    const app = path.join(work, 'roll/app');
    const outside = path.join(work, 'roll-outside');
    const kept = path.join(work, 'roll/kept.conf');
    fs.mkdirSync(app, { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(app, 'a.conf'), 'before\n');
    fs.writeFileSync(kept, 'before\n');
    // What a write through the swapped folder would replace (a.conf) or remove (new.conf).
    fs.writeFileSync(path.join(outside, 'a.conf'), 'outside\n');
    fs.writeFileSync(path.join(outside, 'new.conf'), 'outside\n');
    const ops: Op[] = [
      { kind: 'put', path: path.join(app, 'a.conf'), content: 'applied\n' },
      { kind: 'put', path: path.join(app, 'new.conf'), content: 'applied\n' },
      { kind: 'put', path: kept, content: 'applied\n' },
    ];
    const snap = await takeSnapshot(transport, planOf(ops), 'swap-test');
    assert.deepEqual(
      snap.entries.map((e) => [e.existed, e.dirLeads]),
      [
        [true, fs.realpathSync(app)],
        [false, fs.realpathSync(app)],
        [true, fs.realpathSync(path.join(work, 'roll'))],
      ],
      'the snapshot records where each folder led',
    );
    const applied = await applyHost(transport, planOf(ops), true);
    assert.deepEqual(
      applied.results.map((r) => r.status),
      ['changed', 'changed', 'changed'],
    );

    const led = fs.realpathSync(app);
    fs.renameSync(app, `${app}.moved`);
    fs.symlinkSync(outside, app);
    const outcome = await rollBack(transport, snap);
    assert.equal(outcome.ok, false);
    for (const name of ['a.conf', 'new.conf'])
      assert.match(outcome.error ?? '', new RegExp(`${path.join(app, name)}: its folder now leads to ${outside}, not to ${led} `));
    assert.equal(fs.readFileSync(path.join(outside, 'a.conf'), 'utf8'), 'outside\n', 'not replaced through the swapped folder');
    assert.equal(fs.readFileSync(path.join(outside, 'new.conf'), 'utf8'), 'outside\n', 'not removed through the swapped folder');
    assert.deepEqual(fs.readdirSync(outside).sort(), ['a.conf', 'new.conf'], 'no temp file left there');
    assert.equal(fs.readFileSync(kept, 'utf8'), 'before\n', 'a path whose folder stayed is restored');
  });
});
