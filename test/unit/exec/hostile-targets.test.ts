// Paths and names a careless or hostile playbook can give: the apply and gather scripts must
// write only the intended file, inside the chroot root, with the declared or previous mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChrootTransport } from '../../../src/transport/chroot.js';
import { createLocalTransport } from '../../../src/transport/local.js';
import { compileApplyScript, parseApplyOutput, type ScriptStep } from '../../../src/exec/apply-script.js';
import { gatherFacts } from '../../../src/facts/gather.js';
import { restoreScript, type Snapshot } from '../../../src/exec/rollback.js';
import type { Op } from '../../../src/module.js';
import { busyboxRoot } from '../../helpers/busybox-root.js';

/** A scratch folder holding `root/` (the chroot) and `outside/` beside it. */
function scratch(t: { after(fn: () => void): void }, name = 'psd-hostile-'): { base: string; root: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), name));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(outside);
  return { base, root, outside };
}

const step = (...ops: Op[]): ScriptStep => ({ change: { summary: 's', ops }, sets: [] });

async function applyChroot(root: string, steps: ScriptStep[]) {
  const tr = createChrootTransport('h', root);
  const { script } = compileApplyScript(steps, { root: tr.root, offline: tr.offline }, true);
  const res = await tr.exec(script);
  return parseApplyOutput(res.stdout, steps.length);
}

async function applyLocal(steps: ScriptStep[], cwd?: string) {
  const { script } = compileApplyScript(steps, { root: '', offline: true }, true);
  const prev = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    const res = await createLocalTransport().exec(script);
    return parseApplyOutput(res.stdout, steps.length);
  } finally {
    process.chdir(prev);
  }
}

const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8).padStart(4, '0');

test('a symlinked dest is replaced by a 0644 file by default, never made world-writable', async (t) => {
  const { root } = scratch(t);
  mkdirSync(join(root, 'run'));
  writeFileSync(join(root, 'run/resolv.conf'), 'old\n', { mode: 0o600 });
  symlinkSync('../run/resolv.conf', join(root, 'etc/resolv.conf'));
  symlinkSync('/run/resolv.conf', join(root, 'etc/abs.conf'));
  const out = await applyChroot(root, [
    step({ kind: 'put', path: '/etc/resolv.conf', content: 'nameserver 192.0.2.53\n' }),
    step({ kind: 'put', path: '/etc/abs.conf', content: 'x\n' }),
  ]);
  assert.deepEqual(
    out.map((o) => o.status),
    ['ok', 'ok'],
  );
  for (const f of ['etc/resolv.conf', 'etc/abs.conf']) {
    assert.ok(lstatSync(join(root, f)).isFile(), `${f} is a regular file now`);
    assert.equal(mode(join(root, f)), '0644');
  }
  assert.equal(readFileSync(join(root, 'run/resolv.conf'), 'utf8'), 'old\n', 'the link target is untouched');
});

test('follow writes through the link, inside the root, keeping the target file mode', async (t) => {
  const { root, outside } = scratch(t);
  mkdirSync(join(root, 'run'));
  writeFileSync(join(root, 'run/resolv.conf'), 'old\n', { mode: 0o640 });
  // Absolute: on the control machine it would lead to outside/; in the root it leads to root/run.
  writeFileSync(join(outside, 'resolv.conf'), 'host\n');
  symlinkSync('/run/resolv.conf', join(root, 'etc/resolv.conf'));
  const out = await applyChroot(root, [step({ kind: 'put', path: '/etc/resolv.conf', content: 'new\n', follow: true })]);
  assert.equal(out[0]!.status, 'ok', out[0]!.error);
  assert.ok(lstatSync(join(root, 'etc/resolv.conf')).isSymbolicLink());
  assert.equal(readFileSync(join(root, 'run/resolv.conf'), 'utf8'), 'new\n');
  assert.equal(mode(join(root, 'run/resolv.conf')), '0640');
  assert.equal(readFileSync(join(outside, 'resolv.conf'), 'utf8'), 'host\n');
});

test('follow on a live host writes the file the link names, with its mode', async (t) => {
  const { outside } = scratch(t);
  mkdirSync(join(outside, 'run'));
  writeFileSync(join(outside, 'run/target'), 'old\n', { mode: 0o600 });
  symlinkSync('run/target', join(outside, 'link'));
  const out = await applyLocal([step({ kind: 'put', path: join(outside, 'link'), content: 'new\n', follow: true })]);
  assert.equal(out[0]!.status, 'ok', out[0]!.error);
  assert.ok(lstatSync(join(outside, 'link')).isSymbolicLink());
  assert.equal(readFileSync(join(outside, 'run/target'), 'utf8'), 'new\n');
  assert.equal(mode(join(outside, 'run/target')), '0600');
});

test('chroot: ".." and symlinked parents stay inside the root, for writes and for reads', async (t) => {
  const { root, outside } = scratch(t);
  writeFileSync(join(outside, 'secret.txt'), 'secret\n');
  mkdirSync(join(root, 'elsewhere'));
  symlinkSync('/elsewhere', join(root, 'etc/sysctl.d'));
  symlinkSync('../../../outside', join(root, 'etc/up'));
  const out = await applyChroot(root, [
    step({ kind: 'put', path: '/etc/../../outside/pwned', content: 'x' }),
    step({ kind: 'put', path: '/etc/sysctl.d/50.conf', content: 'y' }),
    step({ kind: 'put', path: '/etc/up/pwned2', content: 'z' }),
  ]);
  assert.deepEqual(
    out.map((o) => o.status),
    ['ok', 'ok', 'ok'],
  );
  assert.deepEqual(readdirSync(outside), ['secret.txt'], 'nothing written outside the root');
  assert.equal(readFileSync(join(root, 'outside/pwned'), 'utf8'), 'x');
  assert.equal(readFileSync(join(root, 'elsewhere/50.conf'), 'utf8'), 'y');
  assert.equal(readFileSync(join(root, 'outside/pwned2'), 'utf8'), 'z');

  const tr = createChrootTransport('h', root);
  await tr.connect();
  const facts = await gatherFacts(tr, [
    { kind: 'file', path: '/../outside/secret.txt' },
    { kind: 'file', path: '/etc/up/secret.txt' },
    { kind: 'stat', path: '/etc/up/secret.txt' },
    { kind: 'files', glob: '/etc/up/*.txt' },
    { kind: 'files', glob: '/etc/sysctl.d/*.conf' },
  ]);
  assert.equal(facts.file('/../outside/secret.txt'), null);
  assert.equal(facts.file('/etc/up/secret.txt'), null);
  assert.equal(facts.stat('/etc/up/secret.txt'), null);
  assert.deepEqual(facts.files('/etc/up/*.txt'), {});
  // Names come back as the glob wrote them, though the folder is a link.
  assert.deepEqual(facts.files('/etc/sysctl.d/*.conf'), { '/etc/sysctl.d/50.conf': 'y' });
});

test('chroot: a glob-matched symlink is not followed out of the root', async (t) => {
  const { root, outside } = scratch(t);
  writeFileSync(join(outside, 'shadow'), 'secret\n');
  mkdirSync(join(root, 'etc/sysctl.d'));
  symlinkSync(join(outside, 'shadow'), join(root, 'etc/sysctl.d/10-x.conf'));
  const tr = createChrootTransport('h', root);
  const facts = await gatherFacts(tr, [
    { kind: 'files', glob: '/etc/sysctl.d/*.conf' },
    { kind: 'file', path: '/etc/sysctl.d/10-x.conf' },
  ]);
  assert.deepEqual(facts.files('/etc/sysctl.d/*.conf'), {});
  assert.equal(facts.file('/etc/sysctl.d/10-x.conf'), null);
});

test('chroot_dir with glob and $(…) characters is one literal folder during the gather', async (t) => {
  const { base } = scratch(t);
  const marker = join(base, 'INJECTED');
  const root = join(base, `h[$(touch ${marker})]`);
  const other = join(base, 'h1');
  mkdirSync(join(root, 'etc/sysctl.d'), { recursive: true });
  mkdirSync(join(other, 'etc/sysctl.d'), { recursive: true });
  writeFileSync(join(other, 'etc/sysctl.d/a.conf'), 'other root\n');
  const facts = await gatherFacts(createChrootTransport('h', root), [{ kind: 'files', glob: '/etc/sysctl.d/*.conf' }]);
  assert.deepEqual(facts.files('/etc/sysctl.d/*.conf'), {});
  assert.equal(existsSync(marker), false, 'the command in the root path never ran');
  const q = await gatherFacts(createChrootTransport('h', join(base, 'h?')), [{ kind: 'files', glob: '/etc/sysctl.d/*.conf' }]);
  assert.deepEqual(q.files('/etc/sysctl.d/*.conf'), {}, '"h?" is not a pattern over other roots');
});

test('validate gets the path as an argument: quotes in the command cannot splice it into shell text', async (t) => {
  const { outside } = scratch(t);
  const dest = join(outside, 'c$(touch INJECTED)d.conf');
  for (const validate of ['test -n "%s"', "test -n '%s'", 'test -n %s']) {
    const out = await applyLocal([step({ kind: 'put', path: dest, content: 'ok\n', validate })], outside);
    assert.equal(out[0]!.status, 'ok', `${validate}: ${out[0]!.error}`);
  }
  assert.equal(existsSync(join(outside, 'INJECTED')), false);
  assert.equal(existsSync(join('/', 'INJECTED')), false);
  assert.equal(readFileSync(dest, 'utf8'), 'ok\n');
  // The literal path arrives: the validate command sees the temp file beside dest.
  const seen = join(outside, 'seen');
  const out = await applyLocal([step({ kind: 'put', path: dest, content: 'v\n', validate: `cp %s ${seen}` })]);
  assert.equal(out[0]!.status, 'ok', out[0]!.error);
  assert.equal(readFileSync(seen, 'utf8'), 'v\n');
});

test('validate commands that would need a shell are refused before anything is written', () => {
  for (const validate of ['test -n %s; reboot', 'grep x %s | head', 'test -n "$(id) %s"', 'test `id` %s', 'test %s >/tmp/x', "test '%s"]) {
    assert.throws(
      () => compileApplyScript([step({ kind: 'put', path: '/etc/x', content: 'x', validate })], { root: '', offline: false }, true),
      /validate/,
    );
  }
});

test('chroot: validate runs inside the root, on the temp file as the root sees it', async (t) => {
  const { root } = scratch(t);
  busyboxRoot(root);
  writeFileSync(join(root, 'etc/a.conf'), 'A');
  const bad = await applyChroot(root, [
    step({ kind: 'put', path: '/etc/a.conf', content: 'bad', validate: '/bin/busybox grep -q good %s' }),
  ]);
  assert.equal(bad[0]!.status, 'failed');
  assert.equal(readFileSync(join(root, 'etc/a.conf'), 'utf8'), 'A');
  // /etc/expected exists only inside the root: cmp finds it only when it runs there.
  writeFileSync(join(root, 'etc/expected'), 'good');
  const ok = await applyChroot(root, [
    step({ kind: 'put', path: '/etc/a.conf', content: 'good', validate: '/bin/busybox cmp %s /etc/expected' }),
  ]);
  assert.equal(ok[0]!.status, 'ok', ok[0]!.error);
  assert.equal(readFileSync(join(root, 'etc/a.conf'), 'utf8'), 'good');
});

test("owners: numbers work everywhere; on chroot names come from the root's own passwd and group", async (t) => {
  const { root } = scratch(t);
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nswitchd:x:4242:4343::/:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nswitchd:x:4343:\n');
  const out = await applyChroot(root, [
    step({ kind: 'put', path: '/etc/named', content: 'n', owner: 'switchd', group: 'switchd' }),
    step({ kind: 'put', path: '/etc/numbered', content: 'n', owner: '4711', group: '4712' }),
    step({ kind: 'put', path: '/etc/unknown', content: 'n', owner: 'nobody-here' }),
  ]);
  assert.deepEqual(
    out.map((o) => o.status),
    ['ok', 'ok', 'failed'],
  );
  assert.match(out[2]!.error!, /user nobody-here is not in \/etc\/passwd/);
  assert.deepEqual([statSync(join(root, 'etc/named')).uid, statSync(join(root, 'etc/named')).gid], [4242, 4343]);
  assert.deepEqual([statSync(join(root, 'etc/numbered')).uid, statSync(join(root, 'etc/numbered')).gid], [4711, 4712]);
  // A file owned by a uid without a name is updated, keeping its owner.
  const again = await applyChroot(root, [step({ kind: 'put', path: '/etc/numbered', content: 'm' })]);
  assert.equal(again[0]!.status, 'ok', again[0]!.error);
  assert.equal(statSync(join(root, 'etc/numbered')).uid, 4711);
  const facts = await gatherFacts(createChrootTransport('h', root), [
    { kind: 'stat', path: '/etc/named' },
    { kind: 'stat', path: '/etc/numbered' },
  ]);
  assert.equal(facts.stat('/etc/named')?.owner, 'switchd');
  assert.equal(facts.stat('/etc/numbered')?.owner, '4711');
});

test('a failed change removes the folders it made', async (t) => {
  const { root } = scratch(t);
  const out = await applyChroot(root, [
    step({ kind: 'put', path: '/etc/new/deep/a.conf', content: 'a' }, { kind: 'exec', argv: ['/nonexistent-command'] }),
  ]);
  assert.equal(out[0]!.status, 'failed');
  assert.equal(existsSync(join(root, 'etc/new')), false);
  assert.ok(existsSync(join(root, 'etc')), 'folders that were there stay');
});

test('chroot: a folder swapped for a symlink out of the root after the plan is not written through', async (t) => {
  const { root, outside } = scratch(t);
  mkdirSync(join(root, 'etc/sysctl.d'));
  writeFileSync(join(root, 'etc/sysctl.d/50.conf'), 'old\n');
  writeFileSync(join(outside, '50.conf'), 'outside\n');
  writeFileSync(join(outside, 'gone.conf'), 'outside\n');
  // Each step goes on after a failed one (ignore_errors), so every kind of op meets the swap.
  const steps = [
    step({ kind: 'put', path: '/etc/sysctl.d/50.conf', content: 'new\n' }),
    step({ kind: 'put', path: '/etc/sysctl.d/new/deep.conf', content: 'x' }),
    step({ kind: 'symlink', path: '/etc/sysctl.d/link.conf', target: '50.conf' }),
    step({ kind: 'remove', path: '/etc/sysctl.d/gone.conf' }),
    step({ kind: 'dir', path: '/etc/sysctl.d/made' }),
    step({ kind: 'put', path: '/etc/hostname', content: 'h\n' }),
  ].map((s) => ({ ...s, ignoreErrors: true }));
  const tr = createChrootTransport('h', root);
  // The script is made (paths resolved inside the root) before the folder is swapped.
  const { script } = compileApplyScript(steps, { root: tr.root, offline: tr.offline }, true);
  rmSync(join(root, 'etc/sysctl.d'), { recursive: true });
  symlinkSync(outside, join(root, 'etc/sysctl.d'));
  const out = parseApplyOutput((await tr.exec(script)).stdout, steps.length);
  assert.deepEqual(
    out.map((o) => o.status),
    ['failed', 'failed', 'failed', 'failed', 'failed', 'ok'],
  );
  assert.match(out[0]!.error!, /\/etc\/sysctl\.d\/50\.conf: a folder on its path became a symbolic link/);
  assert.deepEqual(readdirSync(outside).sort(), ['50.conf', 'gone.conf'], 'nothing made or removed outside the root');
  assert.equal(readFileSync(join(outside, '50.conf'), 'utf8'), 'outside\n');
  assert.equal(readFileSync(join(root, 'etc/hostname'), 'utf8'), 'h\n', 'a path with no swapped folder is written');
});

test('chroot: a rollback restore is not written through a folder swapped for a symlink', (t) => {
  const { root, outside } = scratch(t);
  mkdirSync(join(root, 'etc/app'));
  mkdirSync(join(root, 'snap'));
  writeFileSync(join(root, 'snap/0'), 'snapshot\n');
  writeFileSync(join(outside, 'new.conf'), 'outside\n');
  const snap: Snapshot = {
    dir: '/snap',
    entries: [
      { path: '/etc/app/a.conf', existed: true },
      { path: '/etc/app/new.conf', existed: false },
    ],
    handlers: [],
  };
  const script = restoreScript(root, snap);
  rmSync(join(root, 'etc/app'), { recursive: true });
  symlinkSync(outside, join(root, 'etc/app'));
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /\/etc\/app\/a\.conf: a folder on its path became a symbolic link/);
  assert.deepEqual(readdirSync(outside), ['new.conf'], 'nothing restored or removed outside the root');
});
